"""Token authentication that refuses ended sign-ins, in the one statement a request costs.

A service that verifies tokens locally already asks its own replica, per authenticated request,
whether the account was deleted. `RevocableJWTAuthentication` adds the ended sessions to that
same statement (`UNION ALL` of primary-key probes, `LIMIT 1`), so the price stays one round
trip, and prepares it (`shared.prepared`: planning three probes cost more than running them);
anonymous requests cost nothing. A process asks it once per token, not once per request:
`shared.revocation.accepted` keeps what it accepted until a refusal concerns the token's user.
"""

from typing import Any, ClassVar

from django.db import connection
from rest_framework.exceptions import AuthenticationFailed

from shared import prepared
from shared.auth import ServiceUser, SessionEnded, StatelessJWTAuthentication
from shared.revocation.accepted import ACCEPTED
from shared.revocation.models import EndedSession, SessionCutoff

ACCOUNT_REFUSED = 1
SESSION_ENDED = 2


def refused_sql(account_sql: str) -> str:
    """The statement: `account_sql` (a `SELECT 1 ...` over `%(user_id)s`, maybe `%(iat)s`)
    or one of the two ways the token's sign-in may have ended; a row means refuse."""
    return f"""
        {account_sql}
        UNION ALL
        SELECT {SESSION_ENDED} FROM {EndedSession._meta.db_table} WHERE session_id = %(sid)s
        UNION ALL
        SELECT {SESSION_ENDED} FROM {SessionCutoff._meta.db_table}
        WHERE user_id = %(user_id)s AND through_session_id >= %(sid_or_zero)s
        LIMIT 1
    """  # noqa: S608 - table names come from models; the values are parameters


class RevocableJWTAuthentication(StatelessJWTAuthentication):
    """The stateless check, minus refused accounts and ended sign-ins.

    A subclass names its replica's refusal as `account_sql`, `SELECT 1 FROM <replica> WHERE
    id = %(user_id)s AND <refused>`, and the error it answers with (`account_refused`).
    """

    account_sql: ClassVar[str]
    account_refused: ClassVar[type[AuthenticationFailed]]
    _sql: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._sql = refused_sql(cls.account_sql)

    def get_user(self, validated_token: Any) -> ServiceUser:
        user = super().get_user(validated_token)
        # Every claim read here was type-checked (shared.tokens): `iat` an int, `sid` an id.
        sid = validated_token.get("sid")
        accepted = (sid, validated_token["iat"])
        if ACCEPTED.knows(user.id, accepted):
            return user
        generation = ACCEPTED.generation()
        params = {
            "user_id": user.id,
            "iat": validated_token["iat"],
            "sid": sid,
            # A token without a sid predates sessions: any cutoff of its account ends it.
            "sid_or_zero": sid or 0,
        }
        with connection.cursor() as cursor:
            prepared.execute(cursor, self._sql, params)
            row = cursor.fetchone()
        if row is None:
            ACCEPTED.remember(user.id, accepted, generation)
            return user
        raise self.account_refused() if row[0] == ACCOUNT_REFUSED else SessionEnded()
