"""The tokens mailed links carry: password reset, email verification, email change.

None is stored. A reset token is Django's `PasswordResetTokenGenerator` (an HMAC over the
account's password hash, last login and email): setting a password kills it, so it is single-use,
and it expires after `PASSWORD_RESET_TIMEOUT`. The two email tokens are signed, timestamped
payloads (`django.core.signing`) naming the account and the address they prove; each is honoured
only while the account is still in the state it was issued for (not yet verified; still on the
old address), which makes them single-use as well. Every token depends on `SECRET_KEY`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User

_VERIFICATION_SALT = "accounts.tokens.email-verification"
_EMAIL_CHANGE_SALT = "accounts.tokens.email-change"
# Far longer than anything this module issues: not worth decoding.
TOKEN_MAX_LENGTH = 1024


# --- Password reset ------------------------------------------------------------------------


def password_reset_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def password_reset_token(user: User) -> str:
    return default_token_generator.make_token(user)


def user_id_from_reset_uid(uid: str) -> int | None:
    """The account id a reset link's `uid` names, or None when it names none."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid[:64])))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return user_id if 0 < user_id < 2**63 else None


def password_reset_token_is_valid(user: User, token: str) -> bool:
    """Is `token` a live reset token for `user` as it is now (its password, its email)?"""
    return len(token) <= TOKEN_MAX_LENGTH and default_token_generator.check_token(user, token)


# --- Email verification and change ---------------------------------------------------------


@dataclass(frozen=True)
class EmailClaim:
    """What an email token says: account `user_id` controls `email` (replacing `old_email`)."""

    user_id: int
    email: str
    old_email: str | None = None


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_VERIFICATION_SALT)


def email_change_token(user: User, *, new_email: str) -> str:
    payload = {"u": user.pk, "e": new_email, "o": user.email}
    return signing.dumps(payload, salt=_EMAIL_CHANGE_SALT)


def read_email_verification_token(token: str) -> EmailClaim | None:
    return _read(token, salt=_VERIFICATION_SALT)


def read_email_change_token(token: str) -> EmailClaim | None:
    return _read(token, salt=_EMAIL_CHANGE_SALT)


def _read(token: str, *, salt: str) -> EmailClaim | None:
    """The claim of a well-signed token younger than `EMAIL_TOKEN_MAX_AGE`, else None."""
    if len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=salt, max_age=settings.EMAIL_TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    try:
        return EmailClaim(
            user_id=int(payload["u"]), email=str(payload["e"]), old_email=payload.get("o")
        )
    except (KeyError, TypeError, ValueError):
        return None
