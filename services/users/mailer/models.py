"""Mail waiting to be sent: one row per message, written in the transaction that asked for it."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class MessageKind(models.TextChoices):
    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of message
    EMAIL_CHANGE = "email_change"
    EMAIL_CHANGED = "email_changed"


class Message(models.Model):
    """A message the mailer (`manage.py send_mail`) renders and sends, retrying until it is sent.

    Rendering happens at send time (`MAIL_RENDERER`: accounts.mail), so the links' tokens are
    made from the account as it is then and never stored. `user_id` is a plain integer: a notice
    may outlive the account, and the mailer skips messages whose account is gone.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=32, choices=MessageKind.choices)
    user_id = models.BigIntegerField()
    to = models.EmailField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    # The database's clock, like the mailer's `next_attempt_at <= now()`.
    next_attempt_at = models.DateTimeField(db_default=Now())
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set once the SMTP server accepted it, or once it is known never to be needed (skipped).
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Serves the mailer's due query and the backlog figures; as small as the backlog.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="mailer_message_pending",
            ),
            # Serves pruning sent messages past their retention.
            models.Index(
                fields=["sent_at"], condition=Q(sent_at__isnull=False), name="mailer_message_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.id} to {self.to}"
