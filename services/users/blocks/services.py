"""Applying the feed's block events to the replica of who blocks whom."""

from django.db import connection

from blocks.models import Block

# Insert the pair, or move it to this event's state if the event is newer than what the row
# holds; an older or repeated event changes nothing.
_APPLY_SQL = f"""
    INSERT INTO {Block._meta.db_table} AS block
        (blocker_id, blocked_id, active, sequence, updated_at)
    VALUES (%s, %s, %s, %s, now())
    ON CONFLICT (blocker_id, blocked_id) DO UPDATE
        SET active = excluded.active, sequence = excluded.sequence, updated_at = now()
        WHERE block.sequence < excluded.sequence
"""  # noqa: S608 - the table name comes from the model; values are parameters


def apply_block_event(*, sequence: int, blocker_id: int, blocked_id: int, active: bool) -> bool:
    """Record that `blocker_id` blocks (`active`) or no longer blocks `blocked_id`, as of the
    blocker's event `sequence`; return whether the replica changed.

    Ordered by sequence, so correct whatever order the events arrive in; one statement, so
    concurrent consumers applying events of one pair cannot both insert.
    """
    with connection.cursor() as cursor:
        cursor.execute(_APPLY_SQL, [blocker_id, blocked_id, active, sequence])
        return cursor.rowcount == 1
