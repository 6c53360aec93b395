"""The first response to each (caller, Idempotency-Key), kept for replay."""

from django.db import models


class IdempotencyRecord(models.Model):
    """A key's request and, once it finished, its response.

    The row is inserted (`in_progress`) before the view runs; the unique (scope, key) pair is
    what makes two identical requests at the same moment run the view once.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    # Who may replay it: "user:<id>" (from the access token) or "addr:<client address>".
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    # sha256 over method, path, query, media type and body (multipart boundaries left out).
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices)
    # When the current attempt started; an attempt older than the lock timeout was abandoned.
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True)
    response_headers = models.JSONField(default=list)
    # None for a completed request whose response was too large or streamed: not replayable.
    response_body = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique"),
        ]
        indexes = [
            # purge_idempotency_keys: delete what has expired.
            models.Index(fields=["expires_at"], name="idempotency_expires_at"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key!r} ({self.state})"
