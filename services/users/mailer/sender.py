"""The mailer: sends queued messages through Django's email backend, retrying until accepted.

A pass locks a batch of due messages (`SKIP LOCKED`, so several mailers can share the queue),
sends them over one SMTP connection and records each outcome in the same transaction. A message
is marked sent only after the server accepted it, so a crash between the two sends it again
rather than never (at-least-once); a failure (server down, timeout, refusal) schedules a retry
with exponential back-off and is never given up on: SMTP trouble delays mail, it never loses it.
"""

import logging
import smtplib
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import close_old_connections, transaction
from django.utils.module_loading import import_string

from mailer.models import Message
from mailer.selectors import lock_due_messages
from mailer.services import mark_failed, mark_sent, prune_sent_messages

logger = logging.getLogger(__name__)


class Mailer:
    def __init__(self) -> None:
        # What a message says is its domain's business (accounts.mail); the mailer only sends.
        self.render = import_string(settings.MAIL_RENDERER)
        self.batch_size = settings.MAIL_BATCH_SIZE
        self.poll_interval = settings.MAIL_POLL_INTERVAL_SECONDS
        self._last_prune = 0.0

    def send_due(self) -> int:
        """One pass: send what is due (at most a batch); return how many were sent or skipped.

        After a failure the rest of the batch is not tried against the same server: it is
        scheduled for a retry with the failed message, so an outage costs one timeout a pass.
        """
        with transaction.atomic():
            batch = list(lock_due_messages(limit=self.batch_size))
            connection = get_connection(fail_silently=False)
            handled = 0
            try:
                for position, message in enumerate(batch):
                    error = self._send_one(connection, message)
                    if error is None:
                        handled += 1
                        continue
                    for waiting in batch[position:]:
                        mark_failed(message=waiting, error=error)
                    logger.warning(
                        "mail not sent; will retry",
                        extra={
                            "message_id": message.pk,
                            "kind": message.kind,
                            "attempts": message.attempts + 1,
                            "deferred": len(batch) - position,
                            "error": error,
                        },
                    )
                    break
            finally:
                _close_quietly(connection)
        return handled

    def _send_one(self, connection: BaseEmailBackend, message: Message) -> str | None:
        """Send (or skip) one message and record it; the error, if the server failed us."""
        email = self.render(message)
        if email is None:
            mark_sent(message_id=message.pk, skipped=True)
            logger.info("mail skipped", extra={"message_id": message.pk, "kind": message.kind})
            return None
        email.connection = connection
        try:
            email.send()
        except (smtplib.SMTPException, OSError) as exc:
            # Server down, timed out, or refusing: all worth another try later.
            return f"{type(exc).__name__}: {exc}"
        mark_sent(message_id=message.pk)
        logger.info("mail sent", extra={"message_id": message.pk, "kind": message.kind})
        return None

    def send_all_due(self) -> int:
        """Send until nothing is due or the server fails us; return how many were handled."""
        handled = 0
        while True:
            count = self.send_due()
            handled += count
            if count < self.batch_size:
                return handled

    def run(self, stop: threading.Event) -> None:
        logger.info("mailer started")
        while not stop.is_set():
            close_old_connections()
            try:
                handled = self.send_due()
                self._maybe_prune()
            except Exception:
                # The database is away, say: wait and try again, never die.
                logger.exception("mailer pass failed")
                handled = 0
            if handled < self.batch_size:
                # Caught up (or the server failed us): wait before looking again.
                stop.wait(self.poll_interval)
        logger.info("mailer stopped")

    def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < settings.MAIL_PRUNE_INTERVAL_SECONDS:
            return
        self._last_prune = now
        prune_sent_messages(older_than=timedelta(days=settings.MAIL_RETENTION_DAYS))


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        # A broken connection is closed anyway; the pass's outcomes are already recorded.
        logger.debug("closing the SMTP connection failed", exc_info=True)
