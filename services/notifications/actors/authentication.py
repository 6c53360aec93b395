"""How this service authenticates callers: the shared stateless JWT check, minus deleted
accounts."""

from typing import Any

from django.db import connection
from rest_framework.exceptions import AuthenticationFailed

from actors.models import Actor
from shared.auth import ServiceUser, StatelessJWTAuthentication

# Hand-written: every request asks it (the ORM's exists() costs more to build than to answer).
_DELETED_SQL = f"""
    SELECT 1 FROM {Actor._meta.db_table} WHERE id = %s AND deleted
"""  # noqa: S608 - the table name comes from the model; the id is a parameter


class AccountDeleted(AuthenticationFailed):
    default_detail = "This account has been deleted."
    default_code = "user_deleted"


class NotificationsJWTAuthentication(StatelessJWTAuthentication):
    """`StatelessJWTAuthentication` that refuses tokens of accounts the users service deleted.

    As in the feed: an access token outlives its account by up to its lifetime, but once the
    account's deletion event is applied here its tokens are 401. One primary-key look-up.
    """

    def get_user(self, validated_token: Any) -> ServiceUser:
        user = super().get_user(validated_token)
        with connection.cursor() as cursor:
            cursor.execute(_DELETED_SQL, [user.id])
            if cursor.fetchone() is not None:
                raise AccountDeleted()
        return user
