"""The outbox of events a service produced, and the ids of the events it consumed."""

from django.db import models
from django.db.models import Q


class OutboxEvent(models.Model):
    """An event recorded in the transaction that made the change, until the broker confirmed it.

    `id` is only the relay's order of work; `event_id` is the event's identity on the wire, the
    one consumers deduplicate by.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    # `<service>.<aggregate>.<what happened>`, e.g. `users.account.updated`; the routing key.
    type = models.CharField(max_length=100)
    aggregate_id = models.BigIntegerField()
    # 1, 2, 3 ... per aggregate (`AggregateSequence`): a consumer keeps the highest it applied
    # and can tell an older state arriving after a newer one.
    sequence = models.BigIntegerField()
    payload = models.JSONField(default=dict)
    # The X-Request-ID of the request that caused the change, so it can be followed across.
    request_id = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves the relay's `WHERE published_at IS NULL ORDER BY id` batches and the
            # backlog figures; as small as the backlog, since published rows leave it.
            models.Index(
                fields=["id"], condition=Q(published_at__isnull=True), name="events_outbox_pending"
            ),
            # Serves pruning published rows past their retention.
            models.Index(
                fields=["published_at"],
                condition=Q(published_at__isnull=False),
                name="events_outbox_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.aggregate_id}#{self.sequence} ({self.event_id})"


class AggregateSequence(models.Model):
    """The last sequence number handed out for one aggregate (`users.account` 42, ...)."""

    pk = models.CompositePrimaryKey("aggregate", "aggregate_id")
    # The event type's first two segments: `users.account.updated` -> `users.account`.
    aggregate = models.CharField(max_length=100)
    aggregate_id = models.BigIntegerField()
    last_sequence = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.aggregate} {self.aggregate_id}: {self.last_sequence}"


class AppliedEvent(models.Model):
    """An event this service's consumer applied, inserted in the transaction that applied it.

    The primary key is what makes a redelivered or duplicated message change nothing: a second
    insert of the same id finds the first (or waits for it to commit) and the handler is skipped.
    """

    event_id = models.UUIDField(primary_key=True)
    type = models.CharField(max_length=100)
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Serves pruning ids past their retention.
            models.Index(fields=["applied_at"], name="events_applied_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
