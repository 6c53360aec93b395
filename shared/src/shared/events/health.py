"""`/readyz` fields for events: the broker, the outbox backlog, the dead letters.

The broker being down does not make a service unready: writes go on into the outbox and
drain later, so taking the service out of its load balancer would only turn an invisible
delay into errors. It is reported (`broker: "unreachable"`) for dashboards and alerts.
"""

import logging
from typing import Any

from django.conf import settings

from shared.events import broker
from shared.events.outbox import backlog

logger = logging.getLogger(__name__)

# /readyz must answer within a probe's timeout even when the broker is frozen.
BROKER_CHECK_TIMEOUT_SECONDS = 1.0


def broker_fields() -> dict[str, Any]:
    consuming = bool(getattr(settings, "EVENT_HANDLERS", None))
    try:
        connection = broker.connect(timeout=BROKER_CHECK_TIMEOUT_SECONDS)
    except broker.BROKER_ERRORS as exc:
        logger.warning("broker unreachable", extra={"error": f"{type(exc).__name__}: {exc}"})
        return {"broker": "unreachable", "broker_up": 0}
    # `broker_up` for the metrics, which turn every numeric field into a gauge.
    fields: dict[str, Any] = {"broker": "ok", "broker_up": 1}
    try:
        if consuming:
            channel = connection.channel()
            for key, name in (
                ("queued_events", broker.queue_name()),
                ("dead_letters", broker.dead_letter_queue_name()),
            ):
                try:
                    declared = channel.queue_declare(name, passive=True)
                except broker.BROKER_ERRORS:
                    # Not declared yet (no consumer has started): nothing waits in it.
                    fields[key] = 0
                    channel = connection.channel()
                    continue
                fields[key] = declared.method.message_count
    finally:
        if connection.is_open:
            connection.close()
    return fields


def readiness() -> dict[str, Any]:
    """Add to `READINESS_CHECKS`: broker, outbox backlog and (consumers) queue and dead letters."""
    current = backlog()
    oldest = current.oldest_pending_seconds
    return {
        **broker_fields(),
        "outbox_pending": current.pending,
        "outbox_oldest_pending_seconds": round(oldest, 3) if oldest is not None else None,
    }
