"""Writes to follow requests, blocks and mutes, and the pair lock every write across two users
takes.

Mutes are whole here: nothing else changes with them. What a request's answer or a block also
changes elsewhere (the follow and its counters, the inboxes) is done by `actions`, which runs
the functions marked "call inside a transaction" inside its own.
"""

import hashlib

from django.db import connection, transaction
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound

from authors.services import ensure_author_exists, lock_authors_for_writing
from relationships import events
from relationships.events import RequestClosed
from relationships.models import Block, FollowRequest, Mute
from shared.db import get_or_create_toggle


class SelfRelation(APIException):
    """Following, blocking or muting oneself."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "You cannot do that to yourself."
    default_code = "self_relation"


def _require_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside the transaction that makes the change.")


def lock_pair(first_id: int, second_id: int) -> None:
    """Hold a lock on the unordered pair of users until the transaction ends.

    Every write that depends on how two users stand (a follow, a follow request and its answer,
    a block and its removal, a like or comment on the other's content) takes it first, then
    reads what it checks: a block committed meanwhile is seen, and nothing it forbids commits
    after it. A transaction-level advisory lock, keyed by a hash of the pair (a collision only
    makes two unrelated pairs wait for each other).
    """
    _require_transaction("lock_pair")
    low, high = sorted((int(first_id), int(second_id)))
    digest = hashlib.blake2b(f"pair:{low}:{high}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def resolve_other_user(*, actor_id: int, other_id: int, action: str) -> None:
    """The checks before a write about another user: `SelfRelation` (400) for oneself,
    `NotFound` (404) for a user the users service does not know, `UsersServiceUnavailable`
    (503) when neither the replica nor the users service can say. Call before the transaction
    opens: the look-up may call the users service."""
    if actor_id == other_id:
        raise SelfRelation(f"You cannot {action} yourself.")
    if ensure_author_exists(other_id) is None:
        raise NotFound("No user with that id.")


# --- Follow requests (call inside a transaction, after lock_pair) ---------------------------


def add_follow_request(*, requester_id: int, target_id: int) -> bool:
    """Ask to follow `target_id`; return whether this call created the request. Idempotent
    under concurrency (the unique pair and `get_or_create_toggle`)."""
    _require_transaction("add_follow_request")
    _, created = get_or_create_toggle(
        FollowRequest.objects, requester_id=requester_id, target_id=target_id
    )
    if created:
        events.record_follow_request_created(requester_id=requester_id, target_id=target_id)
    return created


def close_follow_request(*, requester_id: int, target_id: int, how: RequestClosed) -> bool:
    """Delete the request without a follow (withdrawn or rejected); return whether there was
    one. Of concurrent calls only the one whose DELETE removed the row records the event."""
    _require_transaction("close_follow_request")
    deleted, _ = FollowRequest.objects.filter(
        requester_id=requester_id, target_id=target_id
    ).delete()
    if deleted:
        events.record_follow_request_closed(requester_id=requester_id, target_id=target_id, how=how)
    return bool(deleted)


def take_follow_request(*, requester_id: int, target_id: int) -> bool:
    """Delete the request being accepted and record its acceptance; return whether there was
    one (the caller then makes the follow, whose event comes after this one)."""
    _require_transaction("take_follow_request")
    deleted, _ = FollowRequest.objects.filter(
        requester_id=requester_id, target_id=target_id
    ).delete()
    if deleted:
        events.record_follow_request_accepted(requester_id=requester_id, target_id=target_id)
    return bool(deleted)


def pending_requesters(target_id: int) -> list[int]:
    """Who asks to follow `target_id`, oldest request first (going public accepts them)."""
    return list(
        FollowRequest.objects.filter(target_id=target_id)
        .order_by("created_at", "id")
        .values_list("requester_id", flat=True)
    )


def drop_follow_requests_between(first_id: int, second_id: int) -> None:
    """Delete the pending requests between two users, both ways (a block). No events: the
    block's own event tells consumers to forget what the two sent each other."""
    _require_transaction("drop_follow_requests_between")
    FollowRequest.objects.filter(requester_id=first_id, target_id=second_id).delete()
    FollowRequest.objects.filter(requester_id=second_id, target_id=first_id).delete()


# --- Blocks (call inside a transaction, after lock_pair) ------------------------------------


def add_block(*, blocker_id: int, blocked_id: int) -> bool:
    """Record the block; return whether this call created it (idempotent under concurrency)."""
    _require_transaction("add_block")
    _, created = get_or_create_toggle(Block.objects, blocker_id=blocker_id, blocked_id=blocked_id)
    if created:
        events.record_block(blocker_id=blocker_id, blocked_id=blocked_id, created=True)
    return created


def remove_block(*, blocker_id: int, blocked_id: int) -> bool:
    """Remove the block if there is one; return whether this call removed it. Follows and
    requests it removed stay removed."""
    _require_transaction("remove_block")
    deleted, _ = Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).delete()
    if deleted:
        events.record_block(blocker_id=blocker_id, blocked_id=blocked_id, created=False)
    return bool(deleted)


# --- Mutes ----------------------------------------------------------------------------------


def mute_user(*, muter_id: int, muted_id: int) -> bool:
    """Mute `muted_id`; return whether this call created the mute.

    Raises what `resolve_other_user` raises (400 self, 404, 503). Idempotent under concurrency
    (the unique pair and `get_or_create_toggle`); only the creator records the event.
    """
    resolve_other_user(actor_id=muter_id, other_id=muted_id, action="mute")
    with transaction.atomic():
        if lock_authors_for_writing(writer_id=muter_id, others=[muted_id]):
            raise NotFound("No user with that id.")
        _, created = get_or_create_toggle(Mute.objects, muter_id=muter_id, muted_id=muted_id)
        if created:
            events.record_mute(muter_id=muter_id, muted_id=muted_id, created=True)
    return created


def unmute_user(*, muter_id: int, muted_id: int) -> None:
    """Remove the mute if there is one (idempotent; unknown users are simply not muted)."""
    with transaction.atomic():
        deleted, _ = Mute.objects.filter(muter_id=muter_id, muted_id=muted_id).delete()
        if deleted:
            events.record_mute(muter_id=muter_id, muted_id=muted_id, created=False)


def forget_user_relationships(*, user_id: int) -> None:
    """Delete every follow request, block and mute from and to `user_id` (account deletion;
    consumers apply the deletion event themselves, so nothing is recorded)."""
    _require_transaction("forget_user_relationships")
    FollowRequest.objects.filter(requester_id=user_id).delete()
    FollowRequest.objects.filter(target_id=user_id).delete()
    Block.objects.filter(blocker_id=user_id).delete()
    Block.objects.filter(blocked_id=user_id).delete()
    Mute.objects.filter(muter_id=user_id).delete()
    Mute.objects.filter(muted_id=user_id).delete()
