"""The settings every service's events need, read from the environment in one place."""

from typing import Any
from urllib.parse import quote

from shared.env import env


def _broker_url() -> str:
    """BROKER_URL; else the native stack's node, from the BROKER_* values its `.env` holds."""
    url = env.str("BROKER_URL", default="")
    password = env.str("BROKER_PASSWORD", default="")
    if url or not password:
        return url
    user = quote(env.str("BROKER_USER", default="social"), safe="")
    port = env.int("BROKER_PORT", default=56720)
    return f"amqp://{user}:{quote(password, safe='')}@127.0.0.1:{port}/"


def event_settings(*, service: str) -> dict[str, Any]:
    """Settings for `shared.events`; a service's `base.py` adds them with `globals().update`.

    `service` names the producer on every message and the consumer's queues
    (`<service>.events`, `<service>.events.dead`). A consuming service also sets
    `EVENT_HANDLERS`, a dict of event type -> dotted path of its handler.
    """
    return {
        "EVENTS_SERVICE": service,
        # amqp://user:password@host:port/vhost; required, like every other credential.
        "BROKER_URL": _broker_url(),
        "EVENTS_EXCHANGE": env.str("EVENTS_EXCHANGE", default="social.events"),
        # Quorum queues replicate over a cluster's nodes; "classic" for a broker without them.
        "EVENTS_QUEUE_TYPE": env.str("EVENTS_QUEUE_TYPE", default="quorum"),
        "EVENTS_BROKER_HEARTBEAT_SECONDS": env.int("EVENTS_BROKER_HEARTBEAT_SECONDS", default=20),
        "EVENTS_BROKER_TIMEOUT_SECONDS": env.float("EVENTS_BROKER_TIMEOUT_SECONDS", default=5.0),
        "EVENTS_RELAY_BATCH_SIZE": env.int("EVENTS_RELAY_BATCH_SIZE", default=100),
        "EVENTS_RELAY_POLL_SECONDS": env.float("EVENTS_RELAY_POLL_SECONDS", default=0.2),
        # Fairness between aggregates (shared.events.relay): a batch takes at most this many
        # events of one aggregate, from the oldest EVENTS_RELAY_FAIR_WINDOW pending ones.
        "EVENTS_RELAY_PER_AGGREGATE": env.int("EVENTS_RELAY_PER_AGGREGATE", default=10),
        "EVENTS_RELAY_FAIR_WINDOW": env.int("EVENTS_RELAY_FAIR_WINDOW", default=20_000),
        "EVENTS_OUTBOX_RETENTION_DAYS": env.int("EVENTS_OUTBOX_RETENTION_DAYS", default=7),
        "EVENTS_APPLIED_RETENTION_DAYS": env.int("EVENTS_APPLIED_RETENTION_DAYS", default=30),
        "EVENTS_CONSUMER_PREFETCH": env.int("EVENTS_CONSUMER_PREFETCH", default=20),
        # A message whose handler fails this many times in a row goes to the dead letters.
        "EVENTS_MAX_ATTEMPTS": env.int("EVENTS_MAX_ATTEMPTS", default=5),
        "EVENTS_RETRY_BASE_SECONDS": env.float("EVENTS_RETRY_BASE_SECONDS", default=0.5),
        "EVENTS_RETRY_MAX_SECONDS": env.float("EVENTS_RETRY_MAX_SECONDS", default=30.0),
        # Deliveries a quorum queue allows before the broker dead-letters a message itself: the
        # backstop for a message that kills the consumer before it can count its failures.
        "EVENTS_DELIVERY_LIMIT": env.int("EVENTS_DELIVERY_LIMIT", default=20),
    }
