"""Recording events in the caller's transaction, and the outbox's backlog and retention."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import log_request_id
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, Min
from django.db.models.functions import Now
from django.utils import timezone

from shared.events.models import AggregateSequence, OutboxEvent

_NEXT_SEQUENCE_SQL = f"""
    INSERT INTO {AggregateSequence._meta.db_table} (aggregate, aggregate_id, last_sequence)
    VALUES (%s, %s, 1)
    ON CONFLICT (aggregate, aggregate_id)
    DO UPDATE SET last_sequence = {AggregateSequence._meta.db_table}.last_sequence + 1
    RETURNING last_sequence
"""  # noqa: S608 - the table name comes from the model; values are parameters


def aggregate_of(event_type: str) -> str:
    """`users.account.updated` -> `users.account`: the kind of thing whose sequence it takes."""
    parts = event_type.split(".")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"event types are <service>.<aggregate>.<what happened>: {event_type!r}")
    return ".".join(parts[:2])


def current_request_id() -> str:
    """The X-Request-ID being served (or the event being consumed), '' outside of one."""
    request_id = getattr(log_request_id.local, "request_id", "")
    no_id = getattr(settings, "NO_REQUEST_ID", log_request_id.DEFAULT_NO_REQUEST_ID)
    return "" if request_id in (None, no_id) else str(request_id)[:200]


def record_event(*, type: str, aggregate_id: int, payload: dict[str, Any]) -> OutboxEvent:
    """Record an event in the caller's transaction; the relay publishes it after the commit.

    Call inside the transaction that makes the change: a rollback takes the event with it. The
    aggregate's next sequence number is taken with an upsert whose row lock is held until the
    commit, so two transactions changing one aggregate get their numbers in commit order.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction that makes the change.")
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQUENCE_SQL, [aggregate_of(type), aggregate_id])
        (sequence,) = cursor.fetchone()
    return OutboxEvent.objects.create(
        event_id=uuid.uuid4(),
        type=type,
        aggregate_id=aggregate_id,
        sequence=sequence,
        payload=payload,
        request_id=current_request_id(),
        occurred_at=timezone.now(),
    )


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_pending_seconds: float | None


def backlog() -> Backlog:
    """How many events wait for the relay, and how long the oldest has waited."""
    row = OutboxEvent.objects.filter(published_at__isnull=True).aggregate(
        pending=Count("id"), oldest=Min("occurred_at")
    )
    oldest = row["oldest"]
    age = max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else None
    return Backlog(pending=row["pending"], oldest_pending_seconds=age)


def prune_published(*, older_than: timedelta, batch_size: int = 10_000) -> int:
    """Delete published events older than `older_than`, in bounded batches; return how many."""
    removed = 0
    cutoff = ExpressionWrapper(Now() - older_than, output_field=DateTimeField())
    while True:
        with transaction.atomic():
            ids = list(
                OutboxEvent.objects.filter(
                    published_at__isnull=False, published_at__lt=cutoff
                ).values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return removed
            removed += OutboxEvent.objects.filter(pk__in=ids).delete()[0]
