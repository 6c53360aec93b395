"""Every write to the outbox: recording events and the dispatcher's bookkeeping."""

import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.db.models.functions import Now

from outbox.models import Event, EventType


def record_event(*, type: EventType, user_id: int, data: dict[str, Any]) -> Event:
    """Record an account event in the caller's transaction.

    Call inside the transaction that makes the change, after locking the user's row
    (`select_for_update`): the lock is what makes a later event id mean a later change, the
    order the dispatcher delivers in. A rollback takes the event with it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction that makes the change.")
    return Event.objects.create(type=type, user_id=user_id, data=data)


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed delivery: exponential, capped, jittered.

    Jitter (80-100 % of the step) keeps several dispatchers, or many users' events that failed
    together, from retrying in lock-step against a feed that is coming back up.
    """
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    cap = settings.OUTBOX_RETRY_MAX_SECONDS
    step = min(cap, base * 2 ** min(max(attempts - 1, 0), 32))
    return step * random.uniform(0.8, 1.0)  # noqa: S311 - jitter, not security


def mark_delivered(*, event_id: int) -> None:
    """Call inside the dispatcher's transaction that holds the event's row lock."""
    Event.objects.filter(pk=event_id).update(
        delivered_at=Now(), attempts=F("attempts") + 1, last_error=""
    )


def mark_failed(*, event: Event, error: str) -> None:
    """Schedule the next attempt; call inside the transaction that holds the event's row lock."""
    delay = timedelta(seconds=retry_delay(event.attempts + 1))
    Event.objects.filter(pk=event.pk).update(
        attempts=F("attempts") + 1,
        # The database's clock, like the dispatcher's `next_attempt_at <= now()`, so several
        # dispatcher hosts with drifting clocks agree on what is due.
        next_attempt_at=ExpressionWrapper(Now() + delay, output_field=DateTimeField()),
        last_error=error[:2000],
    )


def prune_delivered_events(*, older_than: timedelta, batch_size: int = 10_000) -> int:
    """Delete delivered events older than `older_than`, in bounded batches; return how many."""
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                Event.objects.filter(
                    delivered_at__isnull=False,
                    delivered_at__lt=ExpressionWrapper(
                        Now() - older_than, output_field=DateTimeField()
                    ),
                ).values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return removed
            removed += Event.objects.filter(pk__in=ids).delete()[0]
