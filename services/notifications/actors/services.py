"""Every write to the actor replica: account events, and the summaries feed events carry."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from actors.models import Actor

TABLE = Actor._meta.db_table

# A summary from a feed event fills in what no account event said; once one has (a sequence
# above 0), only account events change the row.
_REMEMBER_SQL = f"""
    INSERT INTO {TABLE} (id, username, avatar_url, last_sequence, deleted)
    VALUES (%s, %s, %s, 0, false)
    ON CONFLICT (id) DO UPDATE
    SET username = EXCLUDED.username, avatar_url = EXCLUDED.avatar_url
    WHERE {TABLE}.last_sequence = 0 AND NOT {TABLE}.deleted
"""  # noqa: S608 - the table name comes from the model; values are parameters

# An account event's state, applied only when it is newer than the one kept; a deleted
# account is never revived by a state that arrives after its deletion.
_APPLY_SQL = f"""
    INSERT INTO {TABLE} (id, username, avatar_url, last_sequence, deleted)
    VALUES (%s, %s, %s, %s, false)
    ON CONFLICT (id) DO UPDATE
    SET username = EXCLUDED.username, avatar_url = EXCLUDED.avatar_url,
        last_sequence = EXCLUDED.last_sequence
    WHERE {TABLE}.last_sequence < EXCLUDED.last_sequence AND NOT {TABLE}.deleted
"""  # noqa: S608

_DELETE_SQL = f"""
    INSERT INTO {TABLE} (id, username, avatar_url, last_sequence, deleted)
    VALUES (%s, '', NULL, %s, true)
    ON CONFLICT (id) DO UPDATE
    SET username = '', avatar_url = NULL, deleted = true,
        last_sequence = GREATEST({TABLE}.last_sequence, EXCLUDED.last_sequence)
"""  # noqa: S608

_PLACEHOLDERS_SQL = f"""
    INSERT INTO {TABLE} (id, username, avatar_url, last_sequence, deleted)
    SELECT id, '', NULL, 0, false FROM unnest(%s::bigint[]) AS id
    ON CONFLICT (id) DO NOTHING
"""  # noqa: S608

# FOR SHARE, in id order (two transactions never wait on each other crosswise): a deletion's
# update of these rows waits until the notifying transaction commits, and then removes what it
# wrote; a notifying transaction that comes second sees the deletion.
_LOCK_SQL = f"""
    SELECT deleted FROM {TABLE} WHERE id = ANY(%s) ORDER BY id FOR SHARE
"""  # noqa: S608


@dataclass(frozen=True)
class ActorSummary:
    """A user as another service's event describes them."""

    id: int
    # None when the producer did not know the user either (the feed's replica had no row).
    username: str | None
    avatar_url: str | None = None


def remember_actor(summary: ActorSummary) -> None:
    """Keep `summary` unless an account event has described the user already."""
    if summary.username is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(_REMEMBER_SQL, [summary.id, summary.username, summary.avatar_url])


def apply_account_state(*, sequence: int, summary: ActorSummary) -> None:
    """A created or updated account: keep its state unless a newer one was applied."""
    with connection.cursor() as cursor:
        cursor.execute(_APPLY_SQL, [summary.id, summary.username, summary.avatar_url, sequence])


def mark_account_deleted(*, sequence: int, user_id: int) -> None:
    """Remember for good that `user_id` is gone: later states and events about it are dropped.

    Call inside the transaction that removes the account's notifications, before removing them.
    """
    _require_transaction("mark_account_deleted")
    with connection.cursor() as cursor:
        cursor.execute(_DELETE_SQL, [user_id, sequence])


def lock_live_users(user_ids: Iterable[int]) -> bool:
    """Hold the replica rows of `user_ids` against deletion until the transaction ends.

    Returns False when any of them is a deleted account (nothing may be notified then). Users
    not met yet get a placeholder row, so that there is a row to lock.
    """
    _require_transaction("lock_live_users")
    ids = sorted(set(user_ids))
    with connection.cursor() as cursor:
        cursor.execute(_PLACEHOLDERS_SQL, [ids])
        cursor.execute(_LOCK_SQL, [ids])
        return not any(deleted for (deleted,) in cursor.fetchall())


def _require_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside a transaction.")
