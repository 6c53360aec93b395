"""Every write to the mail queue: asking for a message, and the mailer's bookkeeping."""

import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.db.models.functions import Now

from mailer.models import Message, MessageKind


def queue_message(
    *, kind: MessageKind, user_id: int, to: str, data: dict[str, Any] | None = None
) -> Message:
    """Ask for a message to be sent, in the caller's transaction.

    Call inside the transaction that makes the change the message is about: a rollback takes
    the message with it, a commit makes it certain to be sent (by `manage.py send_mail`,
    retrying for as long as the SMTP server refuses), and the request never waits for SMTP.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("queue_message must run inside the transaction that makes the change.")
    return Message.objects.create(kind=kind, user_id=user_id, to=to, data=data or {})


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed try: exponential, capped, jittered."""
    base = settings.MAIL_RETRY_BASE_SECONDS
    cap = settings.MAIL_RETRY_MAX_SECONDS
    step = min(cap, base * 2 ** min(max(attempts - 1, 0), 32))
    return step * random.uniform(0.8, 1.0)  # noqa: S311 - jitter, not security


def mark_sent(*, message_id: int, skipped: bool = False) -> None:
    """Call inside the mailer's transaction that holds the message's row lock."""
    Message.objects.filter(pk=message_id).update(
        sent_at=Now(), skipped=skipped, attempts=F("attempts") + 1, last_error=""
    )


def mark_failed(*, message: Message, error: str) -> None:
    """Schedule the next try; call inside the transaction that holds the message's row lock."""
    delay = timedelta(seconds=retry_delay(message.attempts + 1))
    Message.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1,
        next_attempt_at=ExpressionWrapper(Now() + delay, output_field=DateTimeField()),
        last_error=error[:2000],
    )


def prune_sent_messages(*, older_than: timedelta, batch_size: int = 10_000) -> int:
    """Delete messages sent longer than `older_than` ago, in bounded batches; return how many."""
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                Message.objects.filter(
                    sent_at__lt=ExpressionWrapper(Now() - older_than, output_field=DateTimeField())
                ).values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return removed
            removed += Message.objects.filter(pk__in=ids).delete()[0]
