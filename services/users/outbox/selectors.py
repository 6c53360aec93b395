"""Every read of the outbox: the dispatcher's due heads and the backlog figures."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from outbox.models import Event


def lock_due_heads(*, limit: int) -> QuerySet[Event]:
    """The oldest undelivered event of each user, when it is due, locked; at most `limit`.

    Call inside a transaction. Only a user's head is ever a candidate, so a user's later
    events wait for the earlier one whatever happens to it (no reordering), and a failed head
    blocks only its own user. `SKIP LOCKED` lets several dispatchers share the work: a head
    another dispatcher is delivering is passed over, and since that head is still the user's
    `min(id)`, the user's next event cannot be picked either. `delivered_at IS NULL` is
    repeated on the outer query because Postgres re-checks only the outer conditions on a row
    that another dispatcher delivered while this query waited: without it that row would be
    delivered twice.
    """
    heads = (
        Event.objects.filter(delivered_at__isnull=True)
        .values("user_id")
        .annotate(head=Min("id"))
        .values("head")
    )
    return (
        Event.objects.select_for_update(skip_locked=True)
        .filter(id__in=heads, delivered_at__isnull=True, next_attempt_at__lte=Now())
        .order_by("id")[:limit]
    )


@dataclass(frozen=True)
class Backlog:
    pending: int
    failing: int
    oldest_pending_seconds: float | None


def backlog() -> Backlog:
    """How many events wait for delivery, how many of them failed before, and the oldest's age."""
    row = Event.objects.filter(delivered_at__isnull=True).aggregate(
        pending=Count("id"),
        failing=Count("id", filter=Q(attempts__gt=0)),
        oldest=Min("occurred_at"),
    )
    oldest = row["oldest"]
    age = max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else None
    return Backlog(pending=row["pending"], failing=row["failing"], oldest_pending_seconds=age)


def readiness() -> dict[str, Any]:
    """`/readyz` fields (see READINESS_CHECKS): the outbox backlog, for dashboards and alerts."""
    current = backlog()
    oldest = current.oldest_pending_seconds
    return {
        "outbox_pending": current.pending,
        "outbox_oldest_pending_seconds": round(oldest, 3) if oldest is not None else None,
    }
