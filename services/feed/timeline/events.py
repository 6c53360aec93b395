"""The feed's own events that carry the fan-out of posts to the followers' inboxes, one batch
of followers each (`timeline.services.fan_out_batch`, `refill_batch`; docs/events.md).

Only the feed consumes them. A batch's event records the next one in the batch's transaction,
so a fan-out goes on, batch after batch, through whatever crashes and redeliveries.
"""

from datetime import datetime

from shared.events.outbox import record_event

FANOUT_POST = "feed.fanout.post"
FANOUT_REFILL = "feed.fanout.refill"


def _cursor(cursor: tuple[datetime, int] | None) -> list | None:
    return None if cursor is None else [cursor[0].isoformat(), cursor[1]]


def record_fanout_post(*, post_id: int, cursor: tuple[datetime, int] | None) -> None:
    """Call inside the transaction that created the post (or ran the batch before `cursor`)."""
    record_event(type=FANOUT_POST, aggregate_id=post_id, payload={"after": _cursor(cursor)})


def record_fanout_refill(*, author_id: int, cursor: tuple[datetime, int] | None) -> None:
    """Call inside the transaction that switched the author to refilling (or ran the batch
    before `cursor`)."""
    record_event(type=FANOUT_REFILL, aggregate_id=author_id, payload={"after": _cursor(cursor)})
