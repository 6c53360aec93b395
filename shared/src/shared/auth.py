"""Stateless JWT authentication for services that verify the users service's tokens locally."""

from typing import Any

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
