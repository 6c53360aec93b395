"""Following, follow requests and blocks: the relationship rows, both users' counters and the
inboxes, in one transaction each.

Every function here takes `relationships.services.lock_pair` on the two users before it reads
how they stand, so a follow, a request, its answer and a block between the same two users
happen one after the other: a block committed first is seen by the follow (which is refused),
a follow committed first is removed by the block.
"""

from enum import Enum

from django.db import transaction
from rest_framework.exceptions import NotFound

from authors.models import Author
from authors.services import lock_authors_for_writing
from relationships import services as relationships
from relationships.events import RequestClosed
from relationships.models import Follow
from relationships.visibility import check_can_act_on
from social.services import add_follow, lock_user_stats, remove_follow
from timeline.services import backfill_followee, remove_followee


class FollowOutcome(Enum):
    """What POST /users/{id}/follow did: 201, 200, or 202 for a private account."""

    FOLLOWED = "followed"
    ALREADY_FOLLOWING = "already following"
    REQUESTED = "requested"
    ALREADY_REQUESTED = "already requested"


def follow_user(*, follower_id: int, followee_id: int) -> FollowOutcome:
    """Make `follower_id` follow `followee_id`, or ask to when the followee is private.

    A new follow copies the followee's recent posts into the follower's inbox. Raises
    `SelfRelation` (400), `NotFound` (404) for a user the users service does not know or one
    that blocks the follower, `BlockingUser` (403) when the follower blocks them, and
    `UsersServiceUnavailable` (503). The followee's privacy is read under the replica row lock
    that `lock_authors_for_writing` takes, which an account event changing it must wait for:
    going public either sees this request (and accepts it) or comes first (and this follows).
    """
    relationships.resolve_other_user(actor_id=follower_id, other_id=followee_id, action="follow")
    with transaction.atomic():
        if lock_authors_for_writing(writer_id=follower_id, others=[followee_id]):
            raise NotFound("No user with that id.")
        relationships.lock_pair(follower_id, followee_id)
        check_can_act_on(actor_id=follower_id, target_id=followee_id)
        if Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
            return FollowOutcome.ALREADY_FOLLOWING
        if Author.objects.filter(pk=followee_id, is_private=True).exists():
            created = relationships.add_follow_request(
                requester_id=follower_id, target_id=followee_id
            )
            return FollowOutcome.REQUESTED if created else FollowOutcome.ALREADY_REQUESTED
        _follow(follower_id=follower_id, followee_id=followee_id)
    return FollowOutcome.FOLLOWED


def _follow(*, follower_id: int, followee_id: int) -> None:
    if add_follow(follower_id=follower_id, followee_id=followee_id):
        backfill_followee(follower_id=follower_id, followee_id=followee_id)


def _unfollow(*, follower_id: int, followee_id: int) -> None:
    if remove_follow(follower_id=follower_id, followee_id=followee_id):
        remove_followee(follower_id=follower_id, followee_id=followee_id)


def unfollow_user(*, follower_id: int, followee_id: int) -> None:
    """Remove the follow and the followee's posts from the follower's inbox, and withdraw a
    pending request (idempotent; unknown users are simply not followed)."""
    with transaction.atomic():
        relationships.lock_pair(follower_id, followee_id)
        _unfollow(follower_id=follower_id, followee_id=followee_id)
        relationships.close_follow_request(
            requester_id=follower_id, target_id=followee_id, how=RequestClosed.WITHDRAWN
        )


def accept_follow_request(*, target_id: int, requester_id: int) -> None:
    """Accept `requester_id`'s request to follow `target_id`: the follow, its counters and the
    backfill of the requester's inbox, as a follow does. `NotFound` without such a request (a
    withdrawal that committed first, a block, a deleted requester)."""
    with transaction.atomic():
        lock_authors_for_writing(writer_id=target_id, others=[requester_id])
        relationships.lock_pair(target_id, requester_id)
        if not relationships.take_follow_request(requester_id=requester_id, target_id=target_id):
            raise NotFound("No follow request from that user.")
        _follow(follower_id=requester_id, followee_id=target_id)


def reject_follow_request(*, target_id: int, requester_id: int) -> None:
    """Reject `requester_id`'s request to follow `target_id`; `NotFound` without one."""
    with transaction.atomic():
        relationships.lock_pair(target_id, requester_id)
        if not relationships.close_follow_request(
            requester_id=requester_id, target_id=target_id, how=RequestClosed.REJECTED
        ):
            raise NotFound("No follow request from that user.")


def accept_every_follow_request(*, target_id: int) -> int:
    """Accept every pending request to follow `target_id` (the account went public); return
    how many. Call inside the transaction that applies the account event."""
    accepted = 0
    for requester_id in relationships.pending_requesters(target_id):
        relationships.lock_pair(target_id, requester_id)
        if relationships.take_follow_request(requester_id=requester_id, target_id=target_id):
            _follow(follower_id=requester_id, followee_id=target_id)
            accepted += 1
    return accepted


def block_user(*, blocker_id: int, blocked_id: int) -> bool:
    """Block `blocked_id`; return whether this call created the block.

    Removes the follows (counters corrected) and pending requests between the two, both ways,
    and each one's posts from the other's inbox. Raises `SelfRelation` (400), `NotFound` (404)
    for an unknown user and `UsersServiceUnavailable` (503), as a follow does.
    """
    relationships.resolve_other_user(actor_id=blocker_id, other_id=blocked_id, action="block")
    with transaction.atomic():
        if lock_authors_for_writing(writer_id=blocker_id, others=[blocked_id]):
            raise NotFound("No user with that id.")
        relationships.lock_pair(blocker_id, blocked_id)
        # Both counters rows now, in ascending id (the order every writer of them follows):
        # the unfollows and inbox purges below take them one user at a time.
        lock_user_stats([blocker_id, blocked_id])
        created = relationships.add_block(blocker_id=blocker_id, blocked_id=blocked_id)
        for follower_id, followee_id in ((blocker_id, blocked_id), (blocked_id, blocker_id)):
            remove_follow(follower_id=follower_id, followee_id=followee_id)
            # Followed or not: nothing of the other may stay in either inbox.
            remove_followee(follower_id=follower_id, followee_id=followee_id)
        relationships.drop_follow_requests_between(blocker_id, blocked_id)
    return created


def unblock_user(*, blocker_id: int, blocked_id: int) -> None:
    """Remove the block if there is one (idempotent). What it removed is not restored."""
    with transaction.atomic():
        relationships.lock_pair(blocker_id, blocked_id)
        relationships.remove_block(blocker_id=blocker_id, blocked_id=blocked_id)
