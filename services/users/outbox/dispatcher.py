"""Delivers outbox events to the feed service, in order per user, until each is acknowledged.

Wire contract: `POST {FEED_SERVICE_URL}/internal/v1/events` with `X-Internal-Token` and
`{"id", "type", "user_id", "occurred_at", "data"}`; any 2xx acknowledges the event, anything
else (another status, a refused connection, a timeout) schedules a retry with back-off.

Delivery is at least once: an event is marked delivered in the transaction that locked it,
after the feed answered, so a crash between the two sends it again. The feed applies events
idempotently by id; that, not this module, makes a repeat harmless.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection, transaction

from outbox.models import Event
from outbox.selectors import lock_due_heads
from outbox.services import mark_delivered, mark_failed, prune_delivered_events, retry_delay
from shared.permissions import INTERNAL_TOKEN_HEADER

logger = logging.getLogger(__name__)

EVENTS_PATH = "/internal/v1/events"


@dataclass(frozen=True)
class PassResult:
    delivered: int
    failed: int


@dataclass(frozen=True)
class Failure:
    error: str
    # True when no answer came at all (refused, timed out), False for an error status.
    unreachable: bool


def event_payload(event: Event) -> dict[str, Any]:
    """The JSON body the feed receives for `event`."""
    occurred = event.occurred_at.astimezone(UTC)
    return {
        "id": event.id,
        "type": event.type,
        "user_id": event.user_id,
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "data": event.data,
    }


class Dispatcher:
    """One dispatcher process's state: its HTTP session and its settings."""

    def __init__(self, *, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.url = settings.FEED_SERVICE_URL.rstrip("/") + EVENTS_PATH
        self.batch_size = settings.OUTBOX_BATCH_SIZE
        self.timeout = (
            settings.OUTBOX_CONNECT_TIMEOUT_SECONDS,
            settings.OUTBOX_READ_TIMEOUT_SECONDS,
        )
        self.poll_interval = settings.OUTBOX_POLL_INTERVAL_SECONDS
        self.retention = timedelta(days=settings.OUTBOX_RETENTION_DAYS)
        self.prune_every = settings.OUTBOX_PRUNE_INTERVAL_SECONDS
        self._next_prune = 0.0

    def send(self, event: Event) -> Failure | None:
        """POST one event; None when the feed acknowledged it, else why it did not."""
        try:
            response = self.session.post(
                self.url,
                json=event_payload(event),
                headers={INTERNAL_TOKEN_HEADER: settings.INTERNAL_API_TOKEN},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return Failure(f"{type(exc).__name__}: {exc}", unreachable=True)
        if 200 <= response.status_code < 300:
            return None
        return Failure(f"HTTP {response.status_code}: {response.text[:500]}", unreachable=False)

    def deliver_due(self, stop: threading.Event | None = None) -> PassResult:
        """Deliver the due head event of up to `batch_size` users, in one transaction.

        An event the feed answers with an error is rescheduled and the pass goes on with the
        other users' events; a feed that cannot be reached (refused, timed out) ends the pass,
        since the rest would fail the same way and trying them only holds their locks longer.
        A set `stop` ends the pass early too; what is left stays pending for the next run.
        """
        delivered = failed = 0
        with transaction.atomic():
            for event in lock_due_heads(limit=self.batch_size):
                if stop is not None and stop.is_set():
                    break
                failure = self.send(event)
                if failure is None:
                    mark_delivered(event_id=event.id)
                    delivered += 1
                    continue
                mark_failed(event=event, error=failure.error)
                failed += 1
                logger.warning(
                    "event delivery failed",
                    extra={
                        "event_id": event.id,
                        "event_type": event.type,
                        "user_id": event.user_id,
                        "attempts": event.attempts + 1,
                        "error": failure.error,
                    },
                )
                if failure.unreachable:
                    break
        if delivered:
            logger.info("events delivered", extra={"count": delivered})
        return PassResult(delivered=delivered, failed=failed)

    def deliver_all_due(self) -> int:
        """Run passes until one delivers nothing (`--once`); return how many were delivered."""
        total = 0
        while (delivered := self.deliver_due().delivered) > 0:
            total += delivered
        return total

    def maybe_prune(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + self.prune_every
        removed = prune_delivered_events(older_than=self.retention)
        if removed:
            logger.info("delivered events pruned", extra={"count": removed})

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set; survive the feed and the database going away."""
        database_failures = 0
        logger.info("dispatcher started", extra={"url": self.url})
        while not stop.is_set():
            try:
                result = self.deliver_due(stop)
                self.maybe_prune()
            except (DatabaseError, InterfaceError):
                database_failures += 1
                logger.exception("dispatcher lost the database; retrying")
                # Drop the broken connection; the next query opens a fresh one.
                connection.close()
                stop.wait(retry_delay(database_failures))
                continue
            database_failures = 0
            if result.delivered == 0:
                stop.wait(self.poll_interval)
        logger.info("dispatcher stopped")
