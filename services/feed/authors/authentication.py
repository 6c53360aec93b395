"""How the feed authenticates callers: the shared stateless JWT check, minus deleted accounts
and ended sign-ins."""

from authors.errors import AccountDeleted
from authors.models import Author
from shared.revocation.authentication import RevocableJWTAuthentication


class FeedJWTAuthentication(RevocableJWTAuthentication):
    """`StatelessJWTAuthentication` that refuses tokens of accounts the users service deleted,
    and of sign-ins it ended (logout, password change: `shared.revocation`).

    An access token stays valid until it expires, but once the feed has applied the account's
    `user.deleted` event the replica marks the author deleted and its tokens are answered 401;
    so are tokens of an id the users service told the feed it never had.
    The price is one statement of primary-key probes per authenticated request (anonymous ones
    cost nothing); the users service is still never asked.
    """

    # A deleted account refuses every token; an id the users service said it did not have
    # refuses the tokens issued before it said so. Hand-written: the ORM's `.exists()` took
    # several times as long to build as Postgres takes to answer.
    account_sql = f"""
        SELECT 1 FROM {Author._meta.db_table}
        WHERE id = %(user_id)s
          AND (deleted_at IS NOT NULL OR missing_since >= to_timestamp(%(iat)s))
    """  # noqa: S608 - the table name comes from the model; the values are parameters
    account_refused = AccountDeleted
