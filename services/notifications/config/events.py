"""The events this service consumes (`EVENT_HANDLERS`), each turned into a call of a service.

Like `urls.py` for requests: the edge that checks what arrives and hands it to the function
that owns the rule (`notifications.services`, `actors.services`). A payload that can never be
applied is `Unprocessable` and goes straight to the dead letters; anything else a handler
raises is retried. docs/events.md is the catalogue of every type and payload.
"""

from typing import Any

from actors.services import ActorSummary, apply_account_state
from notifications import services
from shared.events.consumer import Unprocessable
from shared.events.message import MAX_BIGINT, Event

USERNAME_MAX_LENGTH = 150
AVATAR_URL_MAX_LENGTH = 1000


def _id(payload: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_BIGINT:
        raise Unprocessable(f"payload.{key} is not an id")
    return value


def _ids(payload: dict[str, Any], key: str, *, limit: int = 100) -> list[int]:
    values = payload.get(key) or []
    if not isinstance(values, list) or len(values) > limit:
        raise Unprocessable(f"payload.{key} is not a list of at most {limit} ids")
    return [_id({"id": value}, "id") for value in values]


def _text(payload: dict[str, Any], key: str, *, max_length: int, required: bool) -> str | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > max_length:
        raise Unprocessable(f"payload.{key} is not a string of at most {max_length} characters")
    return value


def _summary(raw: Any, *, user_id: int | None = None) -> ActorSummary:
    """A user summary `{id, username, avatar_url}` (the id may come from the aggregate); a
    null username is a user the producer did not know either, named by a later account event."""
    if not isinstance(raw, dict):
        raise Unprocessable("a user summary is not an object")
    return ActorSummary(
        id=user_id if user_id is not None else _id(raw, "id"),
        username=_text(raw, "username", max_length=USERNAME_MAX_LENGTH, required=False),
        avatar_url=_text(raw, "avatar_url", max_length=AVATAR_URL_MAX_LENGTH, required=False),
    )


# --- the users service ---------------------------------------------------------------------


def apply_account(event: Event) -> None:
    """`users.account.created|updated` keep the replica fresh; `deleted` removes the account's
    notifications, sent and received."""
    if event.type == "users.account.deleted":
        services.apply_account_deleted(sequence=event.sequence, user_id=event.aggregate_id)
        return
    payload = event.payload
    apply_account_state(
        sequence=event.sequence,
        summary=ActorSummary(
            id=event.aggregate_id,
            username=_text(payload, "username", max_length=USERNAME_MAX_LENGTH, required=True),
            avatar_url=_text(
                payload, "avatar_url", max_length=AVATAR_URL_MAX_LENGTH, required=False
            ),
        ),
    )


# --- the feed: likes and posts (aggregate: the post) ---------------------------------------


def apply_post_liked(event: Event) -> None:
    services.apply_like(
        sequence=event.sequence,
        post_id=event.aggregate_id,
        post_author_id=_id(event.payload, "post_author_id"),
        user=_summary(event.payload.get("user")),
        occurred_at=event.occurred_at,
    )


def apply_post_unliked(event: Event) -> None:
    services.apply_unlike(
        sequence=event.sequence,
        post_id=event.aggregate_id,
        user_id=_id(event.payload, "user_id"),
    )


def apply_post_mentions(event: Event) -> None:
    """`feed.post.created|updated`: the users the post mentions now."""
    services.apply_post_mentions(
        sequence=event.sequence,
        post_id=event.aggregate_id,
        author=_summary(event.payload.get("author")),
        mentioned_user_ids=_ids(event.payload, "mentioned_user_ids"),
        occurred_at=event.occurred_at,
    )


def apply_post_deleted(event: Event) -> None:
    services.apply_post_deleted(sequence=event.sequence, post_id=event.aggregate_id)


# --- comments (aggregate: the comment) -----------------------------------------------------


def apply_comment_created(event: Event) -> None:
    payload = event.payload
    services.apply_comment(
        sequence=event.sequence,
        comment_id=event.aggregate_id,
        post_id=_id(payload, "post_id"),
        post_author_id=_id(payload, "post_author_id"),
        author=_summary(payload.get("author")),
        occurred_at=event.occurred_at,
        parent_author_id=_id(payload, "parent_author_id", required=False),
        mentioned_user_ids=_ids(payload, "mentioned_user_ids"),
    )


def apply_comment_deleted(event: Event) -> None:
    services.apply_comment_deleted(sequence=event.sequence, comment_id=event.aggregate_id)


def apply_comment_liked(event: Event) -> None:
    services.apply_comment_like(
        sequence=event.sequence,
        comment_id=event.aggregate_id,
        post_id=_id(event.payload, "post_id"),
        comment_author_id=_id(event.payload, "comment_author_id"),
        user=_summary(event.payload.get("user")),
        occurred_at=event.occurred_at,
    )


def apply_comment_unliked(event: Event) -> None:
    services.apply_comment_unlike(
        sequence=event.sequence,
        comment_id=event.aggregate_id,
        user_id=_id(event.payload, "user_id"),
    )


# --- follows and follow requests (aggregate: the follower, the requester) ------------------


def apply_follow_created(event: Event) -> None:
    services.apply_follow(
        sequence=event.sequence,
        follower=_summary(event.payload.get("follower"), user_id=event.aggregate_id),
        followee_id=_id(event.payload, "followee_id"),
        occurred_at=event.occurred_at,
    )


def apply_follow_deleted(event: Event) -> None:
    services.apply_unfollow(
        sequence=event.sequence,
        follower_id=event.aggregate_id,
        followee_id=_id(event.payload, "followee_id"),
    )


def apply_follow_request_created(event: Event) -> None:
    services.apply_follow_request(
        sequence=event.sequence,
        requester=_summary(event.payload.get("requester"), user_id=event.aggregate_id),
        target_id=_id(event.payload, "target_id"),
        occurred_at=event.occurred_at,
    )


def apply_follow_request_closed(event: Event) -> None:
    """`feed.follow_request.withdrawn|rejected`: the request's notification goes."""
    services.apply_follow_request_withdrawn(
        sequence=event.sequence,
        requester_id=event.aggregate_id,
        target_id=_id(event.payload, "target_id"),
    )


def apply_follow_request_accepted(event: Event) -> None:
    services.apply_follow_request_accepted(
        sequence=event.sequence,
        requester_id=event.aggregate_id,
        target=_summary(event.payload.get("target")),
        occurred_at=event.occurred_at,
    )


# --- blocks and mutes (aggregate: the blocker, the muter) ----------------------------------


def apply_block_created(event: Event) -> None:
    services.apply_block(
        sequence=event.sequence,
        blocker_id=event.aggregate_id,
        blocked_id=_id(event.payload, "blocked_id"),
    )


def apply_block_deleted(event: Event) -> None:
    services.apply_unblock(
        sequence=event.sequence,
        blocker_id=event.aggregate_id,
        blocked_id=_id(event.payload, "blocked_id"),
    )


def apply_mute_created(event: Event) -> None:
    services.apply_mute(
        sequence=event.sequence,
        muter_id=event.aggregate_id,
        muted_id=_id(event.payload, "muted_id"),
    )


def apply_mute_deleted(event: Event) -> None:
    services.apply_unmute(
        sequence=event.sequence,
        muter_id=event.aggregate_id,
        muted_id=_id(event.payload, "muted_id"),
    )
