"""An event as it travels: the JSON body and AMQP properties the relay publishes."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pika

from shared.events.models import OutboxEvent

CONTENT_TYPE = "application/json"
# Ids are Postgres bigints in every service.
MAX_BIGINT = 2**63 - 1


class MalformedEvent(ValueError):
    """A message body that is not an event: it can never be applied, only dead-lettered."""


@dataclass(frozen=True)
class Event:
    """One event, as a consumer's handler receives it."""

    id: uuid.UUID
    type: str
    aggregate_id: int
    sequence: int
    occurred_at: datetime
    producer: str
    request_id: str
    payload: dict[str, Any]

    @classmethod
    def from_outbox(cls, row: OutboxEvent, *, producer: str) -> "Event":
        return cls(
            id=row.event_id,
            type=row.type,
            aggregate_id=row.aggregate_id,
            sequence=row.sequence,
            occurred_at=row.occurred_at,
            producer=producer,
            request_id=row.request_id,
            payload=row.payload,
        )

    def body(self) -> bytes:
        return json.dumps(
            {
                "id": str(self.id),
                "type": self.type,
                "aggregate_id": self.aggregate_id,
                "sequence": self.sequence,
                "occurred_at": self.occurred_at.isoformat(),
                "producer": self.producer,
                "request_id": self.request_id,
                "payload": self.payload,
            },
            separators=(",", ":"),
        ).encode()

    def properties(self) -> pika.BasicProperties:
        return pika.BasicProperties(
            content_type=CONTENT_TYPE,
            # Persistent: written to disk by the broker before it confirms.
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=str(self.id),
            type=self.type,
            app_id=self.producer,
            timestamp=int(self.occurred_at.timestamp()),
            headers={"request_id": self.request_id},
        )


def republished(properties: pika.BasicProperties, *, headers: dict) -> pika.BasicProperties:
    """The properties of a message sent on again (dead-lettered, replayed), with `headers`."""
    return pika.BasicProperties(
        content_type=properties.content_type,
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=properties.message_id,
        type=properties.type,
        app_id=properties.app_id,
        timestamp=properties.timestamp,
        headers=headers,
    )


def _positive_int(raw: dict[str, Any], key: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_BIGINT:
        raise MalformedEvent(f"{key} is not a positive bigint")
    return value


def _text(raw: dict[str, Any], key: str, *, allow_empty: bool = False) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not (value or allow_empty) or len(value) > 200:
        raise MalformedEvent(f"{key} is not a string of at most 200 characters")
    return value


def decode(body: bytes) -> Event:
    """The event in a message body; `MalformedEvent` for anything else."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedEvent("the body is not JSON") from exc
    if not isinstance(raw, dict):
        raise MalformedEvent("the body is not a JSON object")
    try:
        event_id = uuid.UUID(_text(raw, "id"))
        occurred_at = datetime.fromisoformat(_text(raw, "occurred_at"))
    except ValueError as exc:
        raise MalformedEvent(str(exc)) from exc
    if occurred_at.tzinfo is None:
        raise MalformedEvent("occurred_at has no time zone")
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        raise MalformedEvent("payload is not an object")
    return Event(
        id=event_id,
        type=_text(raw, "type"),
        aggregate_id=_positive_int(raw, "aggregate_id"),
        sequence=_positive_int(raw, "sequence"),
        occurred_at=occurred_at,
        producer=_text(raw, "producer"),
        request_id=_text(raw, "request_id", allow_empty=True),
        payload=payload,
    )
