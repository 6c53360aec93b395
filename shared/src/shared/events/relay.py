"""The relay: publishes the outbox's pending events to the exchange, marks them once confirmed.

Delivery is at least once. A batch is locked (`FOR UPDATE SKIP LOCKED`, so several relays share
the work without publishing a row twice at the same moment), published with publisher confirms,
and marked published in the same transaction, after the last confirm. A relay that dies between
publishing and committing leaves the rows pending and the next relay publishes them again: the
consumers' applied-event ids make that repeat harmless. Order is not promised across relays or
redeliveries; each event's per-aggregate sequence lets a consumer tell an older state.

Fair between aggregates: a batch takes at most `EVENTS_RELAY_PER_AGGREGATE` events of one
aggregate (one account, one post), its oldest, from the oldest `EVENTS_RELAY_FAIR_WINDOW`
pending rows. A flood of one account's events thus waits in the outbox, where the next batch
still finds every other account's, instead of in the consumers' queues ahead of them; alone, one
aggregate flows at that many events a batch, a short batch being followed by the idle poll.
"""

import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection, transaction
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now

from shared.events import broker
from shared.events.message import Event
from shared.events.models import OutboxEvent
from shared.events.outbox import prune_published

logger = logging.getLogger(__name__)

# The candidates of a batch: of the oldest pending rows, each aggregate's first few. An
# aggregate is the type's first two segments and the id (`outbox.aggregate_of`).
_FAIR_CANDIDATES_SQL = f"""
    SELECT id FROM (
        SELECT id, row_number() OVER (
            PARTITION BY split_part(type, '.', 1), split_part(type, '.', 2), aggregate_id
            ORDER BY id
        ) AS rank
        FROM (
            SELECT id, type, aggregate_id FROM {OutboxEvent._meta.db_table}
            WHERE published_at IS NULL ORDER BY id LIMIT %s
        ) AS oldest
    ) AS ranked
    WHERE rank <= %s
"""  # noqa: S608 - the table name comes from the model; the limits are parameters


class Relay(broker.BrokerClient):
    """One relay process's state: its broker channel (opened on demand) and its settings."""

    def __init__(self) -> None:
        super().__init__()
        self.producer = settings.EVENTS_SERVICE
        self.exchange = settings.EVENTS_EXCHANGE
        self.batch_size = settings.EVENTS_RELAY_BATCH_SIZE
        self.per_aggregate = settings.EVENTS_RELAY_PER_AGGREGATE
        self.fair_window = settings.EVENTS_RELAY_FAIR_WINDOW
        self.poll_seconds = settings.EVENTS_RELAY_POLL_SECONDS
        self.retention = timedelta(days=settings.EVENTS_OUTBOX_RETENTION_DAYS)
        self.prune_every = 600.0
        self._next_prune = 0.0

    def setup(self, channel: broker.Channel) -> None:
        broker.declare_exchange(channel)

    def publish(self, rows: Sequence[OutboxEvent]) -> None:
        """Publish `rows` and wait for the broker to confirm each; raise if it does not."""
        channel = self.channel()
        for row in rows:
            event = Event.from_outbox(row, producer=self.producer)
            channel.basic_publish(
                self.exchange, row.type, event.body(), properties=event.properties()
            )

    # --- database ----------------------------------------------------------------------------

    def lock_batch(self, limit: int) -> list[OutboxEvent]:
        """The oldest pending rows no other relay holds, at most `per_aggregate` of one
        aggregate, locked and in id order (so one aggregate's in its order); call inside a
        transaction."""
        # A constant statement; the limits are parameters.
        candidates = RawSQL(_FAIR_CANDIDATES_SQL, [self.fair_window, self.per_aggregate])  # noqa: S611
        return list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            # Repeated on the outer query's rows: a row another relay published while this
            # query waited is re-checked against it and skipped.
            .filter(published_at__isnull=True, id__in=candidates)
            .order_by("id")[:limit]
        )

    @staticmethod
    def mark_published(rows: Sequence[OutboxEvent]) -> None:
        OutboxEvent.objects.filter(pk__in=[row.pk for row in rows]).update(published_at=Now())

    def relay_batch(self) -> int:
        """Publish one batch of pending events and mark it, in one transaction; return its size."""
        with transaction.atomic():
            rows = self.lock_batch(self.batch_size)
            if rows:
                self.publish(rows)
                self.mark_published(rows)
        if rows:
            logger.info("events published", extra={"count": len(rows)})
        return len(rows)

    def relay_all(self) -> int:
        """Publish batches until none is left (`--once`); return how many were published."""
        total = 0
        while (published := self.relay_batch()) > 0:
            total += published
        return total

    def maybe_prune(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + self.prune_every
        removed = prune_published(older_than=self.retention)
        if removed:
            logger.info("published events pruned", extra={"count": removed})

    # --- the loop ----------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Relay until `stop` is set; survive the broker and the database going away."""
        failures = 0
        logger.info("relay started", extra={"exchange": self.exchange})
        while not stop.is_set():
            try:
                published = self.relay_batch()
                self.maybe_prune()
            except broker.BROKER_ERRORS as exc:
                failures += 1
                logger.warning(
                    "relay cannot reach the broker; events wait in the outbox",
                    extra={"error": f"{type(exc).__name__}: {exc}", "failures": failures},
                )
                self.close()
                stop.wait(self.backoff(failures))
                continue
            except (DatabaseError, InterfaceError):
                failures += 1
                logger.exception("relay lost the database; retrying")
                # Drop the broken connection; the next query opens a fresh one.
                connection.close()
                stop.wait(self.backoff(failures))
                continue
            failures = 0
            if published < self.batch_size:
                self.pause(self.poll_seconds, stop)
        self.close()
        logger.info("relay stopped")

    @staticmethod
    def backoff(failures: int) -> float:
        return broker.retry_delay(
            failures,
            base=settings.EVENTS_RETRY_BASE_SECONDS,
            cap=min(settings.EVENTS_RETRY_MAX_SECONDS, 10.0),
        )
