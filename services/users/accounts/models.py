"""The account: email is the login, username the public handle."""

import uuid
from pathlib import PurePosixPath

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.indexes import OpClass
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

USERNAME_MAX_LENGTH = 30

username_validator = RegexValidator(
    regex=r"^[A-Za-z0-9._]{1,30}\Z",
    message="Usernames are 1-30 characters of letters, digits, '.' and '_'.",
    code="invalid_username",
)


def avatar_upload_to(instance: "User", filename: str) -> str:
    # Generated names only: the client's file name never reaches the disk.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"avatars/{uuid.uuid4().hex}{suffix}"


class AccountManager(UserManager):
    """Creates users keyed by email, with the username stored lower-case."""

    def get_by_natural_key(self, username: str) -> "User":
        # Log-in by email is case-insensitive, matching the unique constraint.
        return self.get(email__iexact=username)

    def _create_user(self, username, email, password, **extra_fields):  # type: ignore[override]
        return super()._create_user(username.lower(), email, password, **extra_fields)

    def create_user(self, email=None, password=None, username="", **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, username="", **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(username, email, password, **extra_fields)


class User(AbstractUser):
    username = models.CharField(
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        validators=[username_validator],
        error_messages={"unique": "A user with that username already exists."},
    )
    email = models.EmailField(
        unique=True, error_messages={"unique": "A user with that email already exists."}
    )
    name = models.CharField(max_length=150, blank=True)
    bio = models.CharField(max_length=150, blank=True)
    website = models.URLField(max_length=200, blank=True)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    # The profile carries one `name`; Django's split name fields are not used.
    first_name = None
    last_name = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    objects = AccountManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            # Usernames are stored lower-case; the database refuses anything else.
            models.CheckConstraint(
                condition=models.Q(username=Lower("username")),
                name="accounts_user_username_lowercase",
            ),
        ]
        indexes = [
            # Serves the prefix search `username LIKE 'q%'` (the column is already lower-case).
            models.Index(
                fields=["username"],
                opclasses=["varchar_pattern_ops"],
                name="accounts_user_username_prefix",
            ),
            # Serves the prefix search `lower(name) LIKE 'q%'`.
            models.Index(
                OpClass(Lower("name"), name="varchar_pattern_ops"),
                name="accounts_user_name_prefix",
            ),
        ]

    def __str__(self) -> str:
        return self.username
