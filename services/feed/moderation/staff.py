"""Staff sign-in to the feed's Django admin, through the users service (docs/security.md).

The feed has no passwords: users live in the users service. A staff member signs in with their
email and password, which the feed hands to the users service's sign-in (its internal
`/internal/v1/staff/sign-in`: the same per-email limit and constant-time refusal as
`POST /api/v1/auth/token`); the access token that comes back is verified like any other
(signature, issuer, audience, claims, a deleted account) and must say `is_staff`. The admin's
session then lasts no longer than that token: `until` is its `exp`.

The admin needs a row of Django's user model for its sessions and its log: a stand-in per
staff member, with the users service's id as its primary key and no usable password, so that
nothing but this sign-in can ever open a session (`StaffSessionBackend` refuses passwords).
"""

from datetime import UTC, datetime

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from rest_framework_simplejwt.exceptions import InvalidToken

from authors import client
from authors.authentication import FeedJWTAuthentication
from authors.errors import AccountDeleted

# The session key holding when the admin session ends (a Unix time): the token's `exp`.
STAFF_UNTIL = "feed_admin_staff_until"


class NotStaff(Exception):
    """The credentials are right, but the account is not staff (or its token not usable here)."""


class StaffSessionBackend(ModelBackend):
    """Sessions of the stand-in staff users, and no password sign-in at all."""

    def authenticate(self, request: object, **credentials: object) -> None:
        return None


def sign_in_staff(*, email: str, password: str) -> tuple[User, datetime]:
    """The stand-in user of the staff member these credentials are, and until when the
    session may last.

    Raises `client.SignInRefused`, `client.SignInLimited`, `client.UsersServiceUnavailable`
    as the users service answers, and `NotStaff` for an account that is not staff.
    """
    raw = client.sign_in_staff(email=email, password=password)
    authentication = FeedJWTAuthentication()
    try:
        token = authentication.get_validated_token(raw.encode())
        caller = authentication.get_user(token)
    except (InvalidToken, AccountDeleted) as exc:
        raise NotStaff() from exc
    if token.get("is_staff") is not True:
        raise NotStaff()
    user, _ = User.objects.update_or_create(
        pk=caller.id,
        defaults={
            "username": str(caller.id),
            # What the admin greets them by ("Welcome, ann").
            "first_name": caller.username[:150],
            "is_active": True,
            "is_staff": True,
            # Every staff member moderates all of the feed; the users service says who is staff.
            "is_superuser": True,
        },
        create_defaults={
            "username": str(caller.id),
            "first_name": caller.username[:150],
            "is_active": True,
            "is_staff": True,
            "is_superuser": True,
            "password": make_password(None),
        },
    )
    return user, datetime.fromtimestamp(token["exp"], tz=UTC)
