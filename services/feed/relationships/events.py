"""The events the feed publishes about follow requests, blocks and mutes (docs/events.md has
their payloads), each recorded in the transaction that makes the change.

A request and its answer share the requester's sequence (aggregate `feed.follow_request`), a
block and its removal the blocker's (`feed.block`), a mute and its removal the muter's
(`feed.mute`), so a consumer can tell which came last for a pair.
"""

from enum import StrEnum

from authors.selectors import replica_summary
from shared.events.outbox import record_event


class RequestClosed(StrEnum):
    """Why a follow request went without becoming a follow: the event type it records."""

    WITHDRAWN = "feed.follow_request.withdrawn"
    REJECTED = "feed.follow_request.rejected"


FOLLOW_REQUEST_CREATED = "feed.follow_request.created"
FOLLOW_REQUEST_ACCEPTED = "feed.follow_request.accepted"
BLOCK_CREATED = "feed.block.created"
BLOCK_DELETED = "feed.block.deleted"
MUTE_CREATED = "feed.mute.created"
MUTE_DELETED = "feed.mute.deleted"


def record_follow_request_created(*, requester_id: int, target_id: int) -> None:
    """Call inside the transaction that created the request."""
    record_event(
        type=FOLLOW_REQUEST_CREATED,
        aggregate_id=requester_id,
        payload={"target_id": target_id, "requester": replica_summary(requester_id)},
    )


def record_follow_request_closed(*, requester_id: int, target_id: int, how: RequestClosed) -> None:
    """Call inside the transaction that withdrew or rejected the request."""
    record_event(type=how, aggregate_id=requester_id, payload={"target_id": target_id})


def record_follow_request_accepted(*, requester_id: int, target_id: int) -> None:
    """Call inside the transaction that accepted the request, before the follow's own
    `feed.follow.created`."""
    record_event(
        type=FOLLOW_REQUEST_ACCEPTED,
        aggregate_id=requester_id,
        payload={"target": replica_summary(target_id)},
    )


def record_block(*, blocker_id: int, blocked_id: int, created: bool) -> None:
    """Call inside the transaction that created (or removed) the block."""
    record_event(
        type=BLOCK_CREATED if created else BLOCK_DELETED,
        aggregate_id=blocker_id,
        payload={"blocked_id": blocked_id},
    )


def record_mute(*, muter_id: int, muted_id: int, created: bool) -> None:
    """Call inside the transaction that created (or removed) the mute."""
    record_event(
        type=MUTE_CREATED if created else MUTE_DELETED,
        aggregate_id=muter_id,
        payload={"muted_id": muted_id},
    )
