"""Every write to accounts."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import User


@transaction.atomic
def sign_up(*, email: str, username: str, password: str, name: str = "") -> User:
    """Create an account; the password must pass Django's validators."""
    user = User(email=User.objects.normalize_email(email), username=username.lower(), name=name)
    validate_password(password, user=user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
