"""How the users service authenticates a bearer token: simplejwt, plus the verified-email rule
and ended sign-ins."""

from typing import Any

from django.db.models import Exists, OuterRef
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.models import Session, User
from shared.auth import SessionEnded, refuse_unverified_writes
from shared.tokens import token_user_id


class AccountJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication (the account loaded from the database, so a deleted or
    deactivated one is refused at once), with `REQUIRE_VERIFIED_EMAIL` applied from the
    account's current state rather than from the token's claim, and the token's sign-in
    (`sid`) still there: logout, a revocation and a password change delete it, and its access
    tokens are refused here at once. The account and its session come in one query."""

    def get_user(self, validated_token: Any) -> User:
        try:
            user_id = token_user_id(validated_token.payload)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        # `sid` is a database id or absent (shared.tokens); tokens from before sessions have none.
        sid = validated_token.get("sid")
        users = User.objects.filter(pk=user_id)
        if sid is not None:
            live = Session.objects.filter(pk=sid, user_id=OuterRef("pk"))
            users = users.annotate(session_live=Exists(live))
        user = users.first()
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if sid is not None and not user.session_live:
            raise SessionEnded()
        return user

    def authenticate(self, request: Request) -> tuple[User, Any] | None:
        authenticated = super().authenticate(request)
        if authenticated is not None:
            refuse_unverified_writes(request, email_verified=authenticated[0].email_verified)
        return authenticated
