"""Stateless JWT authentication for services that verify the users service's tokens locally."""

from typing import Any

from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.models import TokenUser

from shared.tokens import token_user_id


class ServiceUser(TokenUser):
    """The caller as its access token describes it: an integer `id` and a `username`."""

    @property
    def id(self) -> int:  # type: ignore[override]
        return self._id

    @property
    def pk(self) -> int:  # type: ignore[override]
        return self._id

    @property
    def username(self) -> str:  # type: ignore[override]
        return str(self.token.get("username", ""))

    @property
    def email_verified(self) -> bool:
        # As of the token's issue; a client refreshes after verifying to carry the news.
        return self.token.get("email_verified") is True


class UnverifiedEmail(PermissionDenied):
    default_detail = (
        "Verify your email address first: follow the link in the message we sent you "
        "(POST /api/v1/auth/email/verify/resend sends a new one)."
    )
    default_code = "email_not_verified"


def refuse_unverified_writes(request: Request, *, email_verified: bool) -> None:
    """With `REQUIRE_VERIFIED_EMAIL` on, a write by an unverified account is a 403.

    Called by the authentication classes, which run for every view that takes a token: a
    permission class would have to be repeated on every view that sets its own
    `permission_classes`. A view whose writes an unverified account must be able to make
    (resend the message, fix the address, sign out) sets `allow_unverified_email = True`.
    """
    if email_verified or request.method in SAFE_METHODS:
        return
    if not getattr(settings, "REQUIRE_VERIFIED_EMAIL", False):
        return
    view = (request.parser_context or {}).get("view")
    if getattr(view, "allow_unverified_email", False):
        return
    raise UnverifiedEmail()


class SessionEnded(AuthenticationFailed):
    """The token's sign-in was ended (logout, a revocation, a password change): 401."""

    default_detail = "This sign-in has ended; sign in again."
    default_code = "session_ended"


class StatelessJWTAuthentication(JWTStatelessUserAuthentication):
    """simplejwt's stateless authentication, with `user_id` turned into an int once, here.

    simplejwt 5.5.1 writes `user_id` as a string; everything past this boundary can rely on an
    integer. The token class (`shared.tokens.AccessToken`) has already checked every claim.
    """

    def get_user(self, validated_token: Any) -> ServiceUser:
        user = ServiceUser(validated_token)
        try:
            user._id = token_user_id(validated_token.payload)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return user

    def authenticate(self, request: Request) -> tuple[ServiceUser, Any] | None:
        authenticated = super().authenticate(request)
        if authenticated is not None:
            refuse_unverified_writes(request, email_verified=authenticated[0].email_verified)
        return authenticated
