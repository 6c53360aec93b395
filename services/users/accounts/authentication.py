"""How the users service authenticates a bearer token: simplejwt, plus the verified-email rule."""

from typing import Any

from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import User
from shared.auth import refuse_unverified_writes


class AccountJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication (the account loaded from the database, so a deleted or
    deactivated one is refused at once), with `REQUIRE_VERIFIED_EMAIL` applied from the
    account's current state rather than from the token's claim."""

    def authenticate(self, request: Request) -> tuple[User, Any] | None:
        authenticated = super().authenticate(request)
        if authenticated is not None:
            refuse_unverified_writes(request, email_verified=authenticated[0].email_verified)
        return authenticated
