"""The service's dead letters, for an operator: look at them, replay them, or drop them.

A dead letter is the original message with headers saying why it died (`x-error`,
`x-failed-at`, `x-attempts`, `x-routing-key`; `x-death` when the broker itself gave up on it).
Replaying publishes it to the service's own queue through the default exchange (so no other
consumer receives it again), with publisher confirms, and only then removes it.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pika

from shared.events import broker
from shared.events.message import republished


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    type: str
    error: str
    failed_at: str
    attempts: int
    body: dict[str, Any] | str

    def summary(self) -> dict[str, Any]:
        body = self.body if isinstance(self.body, dict) else {}
        return {
            "id": self.message_id,
            "type": self.type,
            "aggregate_id": body.get("aggregate_id"),
            "sequence": body.get("sequence"),
            "occurred_at": body.get("occurred_at"),
            "failed_at": self.failed_at,
            "attempts": self.attempts,
            "error": self.error,
        }


def _dead_letter(properties: pika.BasicProperties, body: bytes) -> DeadLetter:
    headers = properties.headers or {}
    deaths = headers.get("x-death") or []
    try:
        decoded: dict[str, Any] | str = json.loads(body)
    except ValueError:
        decoded = body.decode(errors="replace")
    error = headers.get("x-error")
    if error is None and deaths:
        error = f"the broker dead-lettered it ({deaths[0].get('reason')})"

    def text(value: Any) -> str:
        return value.decode(errors="replace") if isinstance(value, bytes) else str(value or "")

    return DeadLetter(
        message_id=text(properties.message_id),
        type=text(properties.type),
        error=text(error),
        failed_at=text(headers.get("x-failed-at")),
        attempts=int(headers.get("x-attempts") or 0),
        body=decoded,
    )


@contextmanager
def _channel() -> Iterator[pika.adapters.blocking_connection.BlockingChannel]:
    connection = broker.connect()
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        yield channel
    finally:
        # Messages fetched and not acknowledged return to the dead-letter queue.
        if connection.is_open:
            connection.close()


def dead_letter_count() -> int:
    with _channel() as channel:
        declared = channel.queue_declare(broker.dead_letter_queue_name(), passive=True)
        return declared.method.message_count


def _each(
    act: Callable[[pika.adapters.blocking_connection.BlockingChannel, DeadLetter, Any], bool],
    *,
    limit: int,
) -> list[DeadLetter]:
    """Fetch up to `limit` dead letters; `act` returns True for those it settled (acked)."""
    settled: list[DeadLetter] = []
    with _channel() as channel:
        for _ in range(limit):
            method, properties, body = channel.basic_get(broker.dead_letter_queue_name())
            if method is None:
                break
            letter = _dead_letter(properties, body)
            if act(channel, letter, (method, properties, body)):
                channel.basic_ack(method.delivery_tag)
                settled.append(letter)
    return settled


def list_dead_letters(*, limit: int = 100) -> list[DeadLetter]:
    """The first `limit` dead letters; they stay where they are."""
    seen: list[DeadLetter] = []

    def look(channel: Any, letter: DeadLetter, delivery: Any) -> bool:
        seen.append(letter)
        return False

    _each(look, limit=limit)
    return seen


def replay_dead_letters(*, ids: set[str] | None = None, limit: int = 1000) -> list[DeadLetter]:
    """Send dead letters (all, or those whose id is in `ids`) back to the service's queue."""

    def replay(channel: Any, letter: DeadLetter, delivery: Any) -> bool:
        if ids is not None and letter.message_id not in ids:
            return False
        _, properties, body = delivery
        headers = {
            key: value
            for key, value in (properties.headers or {}).items()
            if not key.startswith("x-")
        }
        channel.basic_publish(
            "", broker.queue_name(), body, properties=republished(properties, headers=headers)
        )
        return True

    return _each(replay, limit=limit)


def discard_dead_letters(*, ids: set[str]) -> list[DeadLetter]:
    """Drop the dead letters whose id is in `ids`, for good."""

    def discard(channel: Any, letter: DeadLetter, delivery: Any) -> bool:
        return letter.message_id in ids

    return _each(discard, limit=100_000)
