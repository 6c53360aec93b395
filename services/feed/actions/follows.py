"""Following and unfollowing: the follow, both users' counters and the follower's inbox."""

from social.services import creating_follow, removing_follow
from timeline.services import backfill_followee, remove_followee


def follow_user(*, follower_id: int, followee_id: int) -> bool:
    """Make `follower_id` follow `followee_id`; return True if this call created the follow.

    The followee's recent posts are copied into the follower's inbox with it. Raises what
    `social.services.creating_follow` raises (400 self-follow, 404, 503).
    """
    with creating_follow(follower_id=follower_id, followee_id=followee_id) as created:
        if created:
            backfill_followee(follower_id=follower_id, followee_id=followee_id)
    return created


def unfollow_user(*, follower_id: int, followee_id: int) -> None:
    """Remove the follow if there is one, and the followee's posts from the follower's inbox
    (idempotent; unknown users are simply not followed)."""
    with removing_follow(follower_id=follower_id, followee_id=followee_id) as removed:
        if removed:
            remove_followee(follower_id=follower_id, followee_id=followee_id)
