"""The users service's session events, applied (each verifying service's `EVENT_HANDLERS`).

docs/events.md has the payloads. Like a service's `config/events.py`: the edge that checks what
arrives and hands it to the write that owns the rule (`shared.revocation.services`).
"""

from datetime import datetime
from typing import Any

from shared.events.consumer import Unprocessable
from shared.events.message import MAX_BIGINT, Event
from shared.revocation import services


def _id(payload: dict[str, Any], key: str, *, minimum: int = 1) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_BIGINT:
        raise Unprocessable(f"payload.{key} is not an id")
    return value


def _expires_at(payload: dict[str, Any]) -> datetime | None:
    value = payload.get("expires_at")
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Unprocessable("payload.expires_at is not an ISO 8601 time with its offset")
    return parsed


def apply_session_ended(event: Event) -> None:
    """`users.session.ended` (aggregate: the session)."""
    services.end_session(
        session_id=event.aggregate_id,
        user_id=_id(event.payload, "user_id"),
        expires_at=_expires_at(event.payload),
    )


def apply_sessions_ended(event: Event) -> None:
    """`users.sessions.ended` (aggregate: the account)."""
    services.end_sessions_through(
        user_id=event.aggregate_id,
        through_session_id=_id(event.payload, "through_session_id", minimum=0),
        expires_at=_expires_at(event.payload),
    )
