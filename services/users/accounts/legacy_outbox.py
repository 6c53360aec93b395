"""The HTTP dispatcher's outbox (`outbox_event`, the release before the broker), carried over.

Its undelivered rows become events of `shared.events` (new ids, the account's next sequence
numbers, the account's current name) and are marked delivered, so carrying over twice changes
nothing. The migration that introduced the broker runs it once; pods of the previous release may
go on writing rows until the rollout ends, so `manage.py carry_over_http_outbox` runs it again
after that. A later release drops the table.
"""

import json

from django.db import connection, transaction

from shared.events.outbox import record_event

LEGACY_TABLE = "outbox_event"
TYPES = {
    "user.created": "users.account.created",
    "user.updated": "users.account.updated",
    "user.deleted": "users.account.deleted",
}


def carry_over_http_outbox() -> int:
    """Record each undelivered legacy event as a broker event; return how many."""
    if LEGACY_TABLE not in connection.introspection.table_names():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.id, e.type, e.user_id, e.data, coalesce(u.name, '')
            FROM {LEGACY_TABLE} e LEFT JOIN accounts_user u ON u.id = e.user_id
            WHERE e.delivered_at IS NULL ORDER BY e.id FOR UPDATE OF e
            """  # noqa: S608 - a constant table name
        )
        rows = cursor.fetchall()
        for _, old_type, user_id, data, name in rows:
            new_type = TYPES[old_type]
            # Django reads jsonb as text on a raw cursor.
            data = json.loads(data) if isinstance(data, str) else data
            payload = (
                {}
                if new_type == "users.account.deleted"
                else {
                    "username": data.get("username"),
                    "name": name,
                    "avatar_url": data.get("avatar_url"),
                }
            )
            record_event(type=new_type, aggregate_id=user_id, payload=payload)
        cursor.execute(
            f"UPDATE {LEGACY_TABLE} SET delivered_at = now(), last_error = 'carried over' "  # noqa: S608
            "WHERE id = ANY(%s)",
            [[row[0] for row in rows]],
        )
    return len(rows)
