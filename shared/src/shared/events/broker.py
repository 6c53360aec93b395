"""RabbitMQ as every part of `shared.events` uses it: connections, names, topology, back-off.

Topology: one durable topic exchange (`EVENTS_EXCHANGE`) that every producer publishes to with
the event type as routing key; per consuming service a durable queue `<service>.events` bound
to the types it handles, and `<service>.events.dead` for what it could not apply. Declaring is
idempotent, so the consumer declares at start and `consume_events --declare` at deploy time.
"""

import logging
import random
import threading
import time
from collections.abc import Iterable

import pika
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pika.adapters.utils.connection_workflow import AMQPConnectorException

logger = logging.getLogger(__name__)

Channel = pika.adapters.blocking_connection.BlockingChannel

# What a lost, refused, frozen or broken broker connection raises in pika (a handshake that
# times out surfaces as the connector's own exception, outside the AMQPError tree).
BROKER_ERRORS = (pika.exceptions.AMQPError, AMQPConnectorException, OSError)


def parameters(*, timeout: float | None = None) -> pika.URLParameters:
    if not settings.BROKER_URL:
        raise ImproperlyConfigured("BROKER_URL must be set (amqp://user:password@host:port/).")
    params = pika.URLParameters(settings.BROKER_URL)
    seconds = timeout if timeout is not None else settings.EVENTS_BROKER_TIMEOUT_SECONDS
    # Every wait is bounded: connecting, the AMQP handshake, and a broker that stops answering
    # (frozen, or a network gone): heartbeats notice that within about two intervals.
    params.socket_timeout = seconds
    params.stack_timeout = seconds
    params.blocked_connection_timeout = max(seconds, 30.0)
    params.heartbeat = settings.EVENTS_BROKER_HEARTBEAT_SECONDS
    params.connection_attempts = 1
    params.client_properties = {"connection_name": f"{settings.EVENTS_SERVICE}"}
    return params


def connect(*, timeout: float | None = None) -> pika.BlockingConnection:
    return pika.BlockingConnection(parameters(timeout=timeout))


def queue_name(service: str | None = None) -> str:
    return f"{service or settings.EVENTS_SERVICE}.events"


def dead_letter_queue_name(service: str | None = None) -> str:
    return f"{queue_name(service)}.dead"


class BrokerClient:
    """A broker connection and one channel in confirm mode, opened on demand, reopened after a
    loss. Subclasses (the relay, the consumer) declare what they need in `setup`."""

    def __init__(self) -> None:
        self._connection: pika.BlockingConnection | None = None
        self._channel: Channel | None = None

    def setup(self, channel: Channel) -> None:
        """Declare what this client needs on a fresh channel."""

    def channel(self) -> Channel:
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection = connect()
            channel = self._connection.channel()
            # Every basic_publish now waits for the broker's ack (and raises on a nack).
            channel.confirm_delivery()
            self.setup(channel)
            self._channel = channel
        return self._channel

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except BROKER_ERRORS:
                logger.debug("closing a broken broker connection failed", exc_info=True)

    def pause(self, seconds: float, stop: threading.Event | None = None) -> None:
        """Wait; with a connection open, serve its heartbeats meanwhile (a plain sleep would let
        the broker drop it). A connection that breaks meanwhile is closed, to be reopened."""
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.sleep(seconds)
            except BROKER_ERRORS:
                self.close()
        elif stop is not None:
            stop.wait(seconds)
        else:
            time.sleep(seconds)


def declare_exchange(channel: Channel) -> None:
    channel.exchange_declare(settings.EVENTS_EXCHANGE, exchange_type="topic", durable=True)


def _queue_arguments() -> dict[str, object]:
    if settings.EVENTS_QUEUE_TYPE == "quorum":
        return {"x-queue-type": "quorum"}
    return {"x-queue-type": "classic"}


def declare_consumer_queues(channel: Channel, event_types: Iterable[str]) -> None:
    """Declare this service's queue, its dead letters and the bindings for `event_types`."""
    declare_exchange(channel)
    dead = dead_letter_queue_name()
    channel.queue_declare(dead, durable=True, arguments=_queue_arguments())
    arguments = {
        **_queue_arguments(),
        # A message the broker gives up on (over the delivery limit) lands in the dead letters
        # too, through the default exchange, which routes by queue name.
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead,
    }
    if settings.EVENTS_QUEUE_TYPE == "quorum":
        arguments["x-delivery-limit"] = settings.EVENTS_DELIVERY_LIMIT
    channel.queue_declare(queue_name(), durable=True, arguments=arguments)
    for event_type in sorted(set(event_types)):
        channel.queue_bind(queue_name(), settings.EVENTS_EXCHANGE, routing_key=event_type)


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the `attempt`-th failure in a row: exponential, capped, jittered.

    Jitter (80-100 % of the step) keeps replicas that failed together from retrying in step.
    """
    step = min(cap, base * 2 ** min(max(attempt - 1, 0), 32))
    return step * random.uniform(0.8, 1.0)  # noqa: S311 - jitter, not security
