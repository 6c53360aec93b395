"""The events the feed consumes (`EVENT_HANDLERS`), each turned into a call of a service.

Like `urls.py` for requests: the edge that checks what arrives and hands it to the function
that owns the rule. A payload that can never be applied is `Unprocessable` and goes straight to
the dead letters; anything else a handler raises is retried.
"""

from datetime import datetime

from actions.accounts import AccountEventType, apply_account_event
from shared.events.consumer import Unprocessable
from shared.events.message import MAX_BIGINT, Event
from timeline.services import FollowCursor, fan_out_batch, refill_batch

USERNAME_MAX_LENGTH = 150
NAME_MAX_LENGTH = 150
AVATAR_URL_MAX_LENGTH = 1000


def _text(payload: dict, key: str, *, max_length: int, required: bool) -> str | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > max_length:
        raise Unprocessable(f"payload.{key} is not a string of at most {max_length} characters")
    return value


def _flag(payload: dict, key: str) -> bool | None:
    """An optional boolean: None when a producer that predates it leaves it out."""
    value = payload.get(key)
    if value is not None and not isinstance(value, bool):
        raise Unprocessable(f"payload.{key} is not a boolean")
    return value


def apply_account(event: Event) -> None:
    """`users.account.created|updated|deleted` -> `apply_account_event`."""
    event_type = AccountEventType(event.type)
    if event_type == AccountEventType.USER_DELETED:
        apply_account_event(
            sequence=event.sequence, event_type=event_type, user_id=event.aggregate_id
        )
        return
    payload = event.payload
    apply_account_event(
        sequence=event.sequence,
        event_type=event_type,
        user_id=event.aggregate_id,
        username=_text(payload, "username", max_length=USERNAME_MAX_LENGTH, required=True),
        name=_text(payload, "name", max_length=NAME_MAX_LENGTH, required=False) or "",
        avatar_url=_text(payload, "avatar_url", max_length=AVATAR_URL_MAX_LENGTH, required=False),
        is_private=_flag(payload, "is_private"),
    )


def _follow_cursor(payload: dict) -> FollowCursor:
    """`payload.after`: null (from the newest follower) or [created_at ISO 8601, follow id]."""
    after = payload.get("after")
    if after is None:
        return None
    try:
        created_at, follow_id = after
        moment = datetime.fromisoformat(created_at)
    except (TypeError, ValueError) as exc:
        raise Unprocessable("payload.after is not null or [timestamp, follow id]") from exc
    if moment.tzinfo is None or type(follow_id) is not int or not 0 < follow_id <= MAX_BIGINT:
        raise Unprocessable("payload.after is not null or [timestamp, follow id]")
    return moment, follow_id


def fan_out_post(event: Event) -> None:
    """`feed.fanout.post` -> `fan_out_batch` (one batch of the post's followers)."""
    fan_out_batch(post_id=event.aggregate_id, cursor=_follow_cursor(event.payload))


def refill_author(event: Event) -> None:
    """`feed.fanout.refill` -> `refill_batch` (one batch of the author's followers)."""
    refill_batch(author_id=event.aggregate_id, cursor=_follow_cursor(event.payload))
