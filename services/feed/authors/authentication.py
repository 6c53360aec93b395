"""How the feed authenticates callers: the shared stateless JWT check, minus deleted accounts."""

from typing import Any

from rest_framework.exceptions import AuthenticationFailed

from authors.models import Author
from shared.auth import ServiceUser, StatelessJWTAuthentication


class AccountDeleted(AuthenticationFailed):
    default_detail = "This account has been deleted."
    default_code = "user_deleted"


class FeedJWTAuthentication(StatelessJWTAuthentication):
    """`StatelessJWTAuthentication` that refuses tokens of accounts the users service deleted.

    An access token stays valid until it expires, but once the feed has applied the account's
    `user.deleted` event the replica marks the author deleted and its tokens are answered 401.
    The price is one primary-key lookup on the replica per authenticated request (anonymous ones
    cost nothing); the users service is still never asked.
    """

    def get_user(self, validated_token: Any) -> ServiceUser:
        user = super().get_user(validated_token)
        if Author.objects.filter(pk=user.id, deleted_at__isnull=False).exists():
            raise AccountDeleted()
        return user
