"""Every read of the mail queue: the mailer's due messages and the backlog figures."""

from typing import Any

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from mailer.models import Message


def lock_due_messages(*, limit: int) -> QuerySet[Message]:
    """Unsent messages that are due, oldest first, locked; at most `limit`.

    Call inside a transaction. `SKIP LOCKED` lets several mailers share the queue without
    sending a message twice at once.
    """
    return (
        Message.objects.filter(sent_at__isnull=True, next_attempt_at__lte=Now())
        .order_by("next_attempt_at", "id")
        .select_for_update(skip_locked=True)[:limit]
    )


def readiness() -> dict[str, Any]:
    """`/readyz` fields: how much mail waits, and for how long the oldest has."""
    backlog = Message.objects.filter(sent_at__isnull=True).aggregate(
        pending=Count("id"), oldest=Min("created_at")
    )
    oldest = backlog["oldest"]
    return {
        "mail_pending": backlog["pending"],
        "mail_oldest_pending_seconds": (
            round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0
        ),
    }
