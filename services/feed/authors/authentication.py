"""How the feed authenticates callers: the shared stateless JWT check, minus deleted accounts."""

from typing import Any

from django.db import connection

from authors.errors import AccountDeleted
from authors.models import Author
from shared.auth import ServiceUser, StatelessJWTAuthentication

# Hand-written: every authenticated request asks it, and building and compiling the ORM's
# `.filter(...).exists()` took several times as long as Postgres takes to answer.
# A deleted account refuses every token; an id the users service said it did not have refuses
# the tokens issued before it said so.
_DELETED_SQL = f"""
    SELECT 1 FROM {Author._meta.db_table}
    WHERE id = %s AND (deleted_at IS NOT NULL OR missing_since >= to_timestamp(%s))
"""  # noqa: S608 - the table name comes from the model; the values are parameters


class FeedJWTAuthentication(StatelessJWTAuthentication):
    """`StatelessJWTAuthentication` that refuses tokens of accounts the users service deleted.

    An access token stays valid until it expires, but once the feed has applied the account's
    `user.deleted` event the replica marks the author deleted and its tokens are answered 401;
    so are tokens of an id the users service told the feed it never had.
    The price is one primary-key lookup on the replica per authenticated request (anonymous ones
    cost nothing); the users service is still never asked.
    """

    def get_user(self, validated_token: Any) -> ServiceUser:
        user = super().get_user(validated_token)
        with connection.cursor() as cursor:
            # `iat` is an integer (shared.tokens checked every claim).
            cursor.execute(_DELETED_SQL, [user.id, validated_token["iat"]])
            if cursor.fetchone() is not None:
                raise AccountDeleted()
        return user
