"""One row per account event, written in the transaction that made the change."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone


class EventType(models.TextChoices):
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DELETED = "user.deleted"


class Event(models.Model):
    """An account change the feed service must hear about, until it acknowledges it.

    `id` orders each user's events: every write that records one holds the user's row lock,
    so a later id is a later change. `user_id` is a plain integer, not a foreign key: the
    `user.deleted` event outlives the row it is about.
    """

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=32, choices=EventType.choices)
    user_id = models.BigIntegerField()
    data = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The database's clock, like the dispatcher's `next_attempt_at <= now()`: a new event is
    # due at once even when the writing host's clock runs ahead of the database's.
    next_attempt_at = models.DateTimeField(db_default=Now())
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # Serves the dispatcher's "head of each user's queue" query
            # (`min(id) ... WHERE delivered_at IS NULL GROUP BY user_id`) and the pending
            # count; stays as small as the backlog because delivered rows leave it.
            models.Index(
                fields=["user_id", "id"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_event_pending",
            ),
            # Serves pruning delivered events past their retention.
            models.Index(
                fields=["delivered_at"],
                condition=Q(delivered_at__isnull=False),
                name="outbox_event_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.id} (user {self.user_id})"
