"""Stateless JWT authentication for services that verify the users service's tokens locally."""

from typing import Any

from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.models import TokenUser

from shared.ids import is_db_id


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
    integer, and a token whose `user_id` is not one is rejected like any other invalid token.
    """

    def get_user(self, validated_token: Any) -> ServiceUser:
        user = ServiceUser(validated_token)
        raw = validated_token.get("user_id")
        if isinstance(raw, bool):
            raise InvalidToken("Token contained no recognizable user identification")
        try:
            user_id = int(raw)
        except (TypeError, ValueError):
            raise InvalidToken("Token contained no recognizable user identification") from None
        if not is_db_id(user_id):
            raise InvalidToken("Token contained no recognizable user identification")
        user._id = user_id
        return user
