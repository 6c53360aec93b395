"""How this service authenticates callers: the shared stateless JWT check, minus deleted
accounts and ended sign-ins."""

from rest_framework.exceptions import AuthenticationFailed

from actors.models import Actor
from shared.revocation.authentication import RevocableJWTAuthentication


class AccountDeleted(AuthenticationFailed):
    default_detail = "This account has been deleted."
    default_code = "user_deleted"


class NotificationsJWTAuthentication(RevocableJWTAuthentication):
    """`StatelessJWTAuthentication` that refuses tokens of accounts the users service deleted,
    and of sign-ins it ended (`shared.revocation`).

    As in the feed: an access token outlives its account by up to its lifetime, but once the
    account's deletion event is applied here its tokens are 401. One statement of primary-key
    probes per authenticated request.
    """

    # Hand-written: every request asks it (the ORM's exists() costs more to build than to answer).
    account_sql = f"""
        SELECT 1 FROM {Actor._meta.db_table} WHERE id = %(user_id)s AND deleted
    """  # noqa: S608 - the table name comes from the model; the id is a parameter
    account_refused = AccountDeleted
