"""The consumer: applies each message of the service's queue once, then acknowledges it.

Each message is applied in one database transaction that also inserts its event id into
`AppliedEvent`; a second delivery of the same id (the relay published it twice, or the consumer
died after the commit and before the ack) finds the id and changes nothing. The ack follows the
commit, so a crash anywhere before it means a redelivery, never a loss. A handler that raises is
retried with back-off; after `EVENTS_MAX_ATTEMPTS` failures in a row the message is published to
the service's dead-letter queue (with the error) and acknowledged, and the queue flows on. While
the database itself is unreachable nothing is counted against the message: the consumer waits.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import log_request_id
import pika
from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now
from django.utils.module_loading import import_string

from shared.events import broker
from shared.events.message import Event, MalformedEvent, decode, republished
from shared.events.models import AppliedEvent

logger = logging.getLogger(__name__)

# Called inside the transaction that records the event as applied; raises to refuse it.
Handler = Callable[[Event], Any]
Channel = broker.Channel

_INSERT_APPLIED_SQL = f"""
    INSERT INTO {AppliedEvent._meta.db_table} (event_id, type, applied_at)
    VALUES (%s, %s, now())
    ON CONFLICT (event_id) DO NOTHING
"""  # noqa: S608 - the table name comes from the model; values are parameters


class Unprocessable(Exception):
    """Raised by a handler for a message that can never be applied: dead-lettered at once."""


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    DEAD_LETTERED = "dead-lettered"
    UNHANDLED = "unhandled"
    REQUEUED = "requeued"


def configured_handlers() -> dict[str, Handler]:
    """The service's `EVENT_HANDLERS` (event type -> dotted path), imported."""
    return {
        event_type: import_string(path)
        for event_type, path in getattr(settings, "EVENT_HANDLERS", {}).items()
    }


@contextmanager
def request_id_of(event: Event) -> Iterator[None]:
    """Log (and record further events) under the request id that caused `event`."""
    previous = getattr(log_request_id.local, "request_id", None)
    log_request_id.local.request_id = event.request_id or f"event-{event.id}"
    try:
        yield
    finally:
        log_request_id.local.request_id = previous


def apply_once(event: Event, handler: Handler) -> bool:
    """Apply `event` with `handler` unless it was applied before; True if it was applied now.

    One transaction: the applied-event row and the handler's writes commit together or not at
    all. A concurrent delivery of the same id waits on the row's unique key, then skips.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_APPLIED_SQL, [event.id, event.type])
            if cursor.rowcount == 0:
                return False
        with request_id_of(event):
            handler(event)
    return True


def _database_usable() -> bool:
    try:
        connection.close()
        connection.ensure_connection()
    except (DatabaseError, InterfaceError):
        return False
    return True


class Consumer(broker.BrokerClient):
    """One consumer process: its broker connection, its handlers and its settings."""

    def __init__(self, handlers: dict[str, Handler] | None = None) -> None:
        super().__init__()
        self.handlers = configured_handlers() if handlers is None else handlers
        self.queue = broker.queue_name()
        self.dead_queue = broker.dead_letter_queue_name()
        self.max_attempts = settings.EVENTS_MAX_ATTEMPTS
        self.retry_base = settings.EVENTS_RETRY_BASE_SECONDS
        self.retry_cap = settings.EVENTS_RETRY_MAX_SECONDS
        self.retention = timedelta(days=settings.EVENTS_APPLIED_RETENTION_DAYS)
        self.prune_every = 600.0
        self._next_prune = 0.0

    def setup(self, channel: Channel) -> None:
        # Confirm mode (BrokerClient) makes dead-lettering wait for the broker before the ack.
        channel.basic_qos(prefetch_count=settings.EVENTS_CONSUMER_PREFETCH)
        broker.declare_consumer_queues(channel, self.handlers)

    # --- one message -------------------------------------------------------------------------

    def handle(
        self,
        channel: Channel,
        method: pika.spec.Basic.Deliver,
        properties: pika.BasicProperties,
        body: bytes,
        stop: threading.Event | None = None,
    ) -> Outcome:
        """Apply one delivery and settle it with the broker (ack, dead letter or requeue)."""
        try:
            event = decode(body)
        except MalformedEvent as exc:
            self.dead_letter(channel, method, properties, body, error=f"malformed: {exc}")
            return Outcome.DEAD_LETTERED
        handler = self.handlers.get(event.type)
        if handler is None:
            # A binding an older release left behind: nothing here wants this type any more.
            logger.warning("event without a handler ignored", extra=self._fields(event))
            channel.basic_ack(method.delivery_tag)
            return Outcome.UNHANDLED
        failures = 0
        while True:
            try:
                applied = apply_once(event, handler)
            except Unprocessable as exc:
                self.dead_letter(channel, method, properties, body, error=f"unprocessable: {exc}")
                logger.error(
                    "event dead-lettered", extra={**self._fields(event), "error": str(exc)}
                )
                return Outcome.DEAD_LETTERED
            except Exception as exc:
                if not _database_usable():
                    # The database, not the message: wait for it without counting a failure.
                    logger.warning("consumer lost the database; waiting", exc_info=True)
                    if stop is not None and stop.is_set():
                        channel.basic_nack(method.delivery_tag, requeue=True)
                        return Outcome.REQUEUED
                    self.pause(self.retry_cap / 10)
                    continue
                failures += 1
                error = f"{type(exc).__name__}: {exc}"
                logger.warning(
                    "event not applied",
                    exc_info=True,
                    extra={**self._fields(event), "attempt": failures, "error": error},
                )
                if failures >= self.max_attempts:
                    self.dead_letter(
                        channel, method, properties, body, error=error, attempts=failures
                    )
                    logger.error("event dead-lettered", extra=self._fields(event))
                    return Outcome.DEAD_LETTERED
                self.pause(broker.retry_delay(failures, base=self.retry_base, cap=self.retry_cap))
                continue
            channel.basic_ack(method.delivery_tag)
            outcome = Outcome.APPLIED if applied else Outcome.DUPLICATE
            # One line per delivery: how an operator (or a test) tells a repeat from the first,
            # under the request id that caused the event, like the handler's own lines.
            with request_id_of(event):
                logger.info(f"event {outcome}", extra=self._fields(event))
            return outcome

    def dead_letter(
        self,
        channel: Channel,
        method: pika.spec.Basic.Deliver,
        properties: pika.BasicProperties,
        body: bytes,
        *,
        error: str,
        attempts: int = 0,
    ) -> None:
        """Move a message to the dead-letter queue with why, then ack the original."""
        headers = dict(properties.headers or {})
        headers.update(
            {
                "x-error": error[:2000],
                "x-failed-at": datetime.now(tz=UTC).isoformat(),
                "x-attempts": attempts,
                "x-routing-key": method.routing_key,
            }
        )
        # The default exchange routes by queue name: only this service's dead letters get it.
        channel.basic_publish(
            "", self.dead_queue, body, properties=republished(properties, headers=headers)
        )
        channel.basic_ack(method.delivery_tag)

    @staticmethod
    def _fields(event: Event) -> dict[str, Any]:
        return {
            "event_id": str(event.id),
            "event_type": event.type,
            "aggregate_id": event.aggregate_id,
            "sequence": event.sequence,
            "producer": event.producer,
        }

    # --- the loop ----------------------------------------------------------------------------

    def consume(self, stop: threading.Event, *, until_idle: float | None = None) -> int:
        """Handle messages until `stop` is set (or, with `until_idle`, the queue stays empty
        that many seconds); return how many were handled. Broker errors propagate."""
        channel = self.channel()
        handled = 0
        idle_since = time.monotonic()
        try:
            for method, properties, body in channel.consume(self.queue, inactivity_timeout=0.5):
                if method is None:
                    if stop.is_set():
                        break
                    if until_idle is not None and time.monotonic() - idle_since >= until_idle:
                        break
                    self.maybe_prune()
                    continue
                self.handle(channel, method, properties, body, stop)
                handled += 1
                idle_since = time.monotonic()
                if stop.is_set():
                    break
        finally:
            if channel.is_open:
                # Unacknowledged prefetched messages go back to the queue for another consumer.
                with suppress(*broker.BROKER_ERRORS):
                    channel.cancel()
        return handled

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set; survive the broker going away."""
        failures = 0
        logger.info("consumer started", extra={"queue": self.queue, "types": sorted(self.handlers)})
        while not stop.is_set():
            try:
                self.consume(stop)
                failures = 0
            except broker.BROKER_ERRORS as exc:
                failures += 1
                logger.warning(
                    "consumer cannot reach the broker; messages wait in the queue",
                    extra={"error": f"{type(exc).__name__}: {exc}", "failures": failures},
                )
                self.close()
                stop.wait(
                    broker.retry_delay(failures, base=self.retry_base, cap=min(self.retry_cap, 10))
                )
        self.close()
        logger.info("consumer stopped")

    def maybe_prune(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + self.prune_every
        cutoff = ExpressionWrapper(Now() - self.retention, output_field=DateTimeField())
        with transaction.atomic():
            removed = AppliedEvent.objects.filter(applied_at__lt=cutoff).delete()[0]
        if removed:
            logger.info("applied event ids pruned", extra={"count": removed})
