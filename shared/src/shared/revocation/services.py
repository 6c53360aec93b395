"""Writes of the ended sign-ins: applying the users service's events, and forgetting them."""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from shared.revocation.models import EndedSession, SessionCutoff

# Past a session's end its tokens are refused by their own `exp`; a margin above simplejwt's
# leeway (`LEEWAY`, 5 s) keeps a row until no verifier can take them.
EXPIRY_MARGIN = timedelta(minutes=1)

_CUTOFF_SQL = f"""
    INSERT INTO {SessionCutoff._meta.db_table} AS cutoff (user_id, through_session_id, expires_at)
    VALUES (%s, %s, %s)
    ON CONFLICT (user_id) DO UPDATE SET
        through_session_id = GREATEST(cutoff.through_session_id, EXCLUDED.through_session_id),
        expires_at = CASE WHEN cutoff.expires_at IS NULL OR EXCLUDED.expires_at IS NULL THEN NULL
                          ELSE GREATEST(cutoff.expires_at, EXCLUDED.expires_at) END
"""  # noqa: S608 - the table name comes from the model; values are parameters


def end_session(*, session_id: int, user_id: int, expires_at: datetime | None) -> None:
    """Refuse every token of one sign-in from now on; a repeat changes nothing."""
    EndedSession.objects.bulk_create(
        [EndedSession(session_id=session_id, user_id=user_id, expires_at=expires_at)],
        ignore_conflicts=True,
    )


def end_sessions_through(
    *, user_id: int, through_session_id: int, expires_at: datetime | None
) -> None:
    """Refuse the tokens of every sign-in of `user_id` up to `through_session_id`.

    Cutoffs only move forward, whatever order their events arrive in; the row is kept until the
    latest of the sessions it ended would have ended (NULL, for good, wins).
    """
    with connection.cursor() as cursor:
        cursor.execute(_CUTOFF_SQL, [user_id, through_session_id, expires_at])


def prune_expired() -> int:
    """Forget the sign-ins whose tokens have all expired; return how many rows went."""
    expired = Q(expires_at__lt=timezone.now() - EXPIRY_MARGIN)
    removed = EndedSession.objects.filter(expired).delete()[0]
    return removed + SessionCutoff.objects.filter(expired).delete()[0]
