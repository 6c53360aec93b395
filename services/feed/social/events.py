"""The events the feed publishes about follows (docs/events.md has their payloads), each
recorded in the transaction that makes the change.

A follow and its removal share the follower's sequence (aggregate `feed.follow`, id the
follower), so a consumer can tell which of the two came last for a pair.
"""

from authors.selectors import replica_summaries, unknown_user_summary
from shared.events.outbox import record_event

FOLLOW_CREATED = "feed.follow.created"
FOLLOW_DELETED = "feed.follow.deleted"


def record_follow_created(*, follower_id: int, followee_id: int) -> None:
    """Call inside the transaction that created the follow."""
    follower = replica_summaries([follower_id]).get(follower_id) or unknown_user_summary(
        follower_id
    )
    record_event(
        type=FOLLOW_CREATED,
        aggregate_id=follower_id,
        payload={"followee_id": followee_id, "follower": follower},
    )


def record_follow_deleted(*, follower_id: int, followee_id: int) -> None:
    """Call inside the transaction that removed the follow."""
    record_event(
        type=FOLLOW_DELETED, aggregate_id=follower_id, payload={"followee_id": followee_id}
    )
