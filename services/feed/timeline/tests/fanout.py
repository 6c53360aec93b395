"""Running the fan-out the consumer would run, in the test's own transaction.

The consumer's path through the real broker is tested in `test_fanout.py`; elsewhere a test
that wants the followers' copies applies the outbox's pending fan-out events here, with the
configured handlers and `apply_once`, exactly as the consumer applies a delivered message.
"""

from django.utils import timezone

from shared.events.consumer import apply_once, configured_handlers
from shared.events.message import Event
from shared.events.models import OutboxEvent
from timeline.events import FANOUT_POST, FANOUT_REFILL


def run_fanout(limit: int | None = None) -> int:
    """Apply every pending fan-out event, and those they record, until none is left (or
    `limit` were applied); return how many were applied."""
    handlers = configured_handlers()
    applied = 0
    while limit is None or applied < limit:
        pending = OutboxEvent.objects.filter(
            published_at__isnull=True, type__in=[FANOUT_POST, FANOUT_REFILL]
        ).order_by("pk")
        rows = list(pending)
        if not rows:
            return applied
        for row in rows[: None if limit is None else limit - applied]:
            OutboxEvent.objects.filter(pk=row.pk).update(published_at=timezone.now())
            applied += apply_once(Event.from_outbox(row, producer="feed"), handlers[row.type])
    return applied
