"""Account events from the users service, applied across the feed's apps.

A sign-up or a change of username, name or avatar updates the author replica; a deletion marks
the author deleted and removes everything the user left in every app, in the transaction that
records the event. They arrive over the broker (`config.events` maps each to this module).
"""

import logging
import random
import time
from enum import StrEnum

from django.db import OperationalError, transaction
from django.utils import timezone
from psycopg2 import errors as pg_errors

from actions.follows import accept_every_follow_request
from authors.models import Author
from posts.services import delete_user_content
from relationships.services import forget_user_relationships
from saved.services import forget_user_collections
from social.services import forget_user_follows
from timeline.services import forget_inbox

logger = logging.getLogger(__name__)


class AccountEventType(StrEnum):
    """The users service's account events (docs/events.md), as the feed's consumer gets them."""

    USER_CREATED = "users.account.created"
    USER_UPDATED = "users.account.updated"
    USER_DELETED = "users.account.deleted"


class EventNotApplied(Exception):
    """The database could not apply an event now (lock conflict, timeout): the consumer retries.

    Not an HTTP error any more: events arrive over the broker, not through a view.
    """


# A deletion takes row locks across posts, likes, comments, follows and counters; a writer taking
# the same rows in another order at that moment can deadlock with it. Postgres then aborts one of
# the two, and the whole event is simply applied again from the start.
_RETRIED_ERRORS = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)
_ATTEMPTS = 3
# Errors that retrying at once would not cure (a statement past its timeout, a lock not granted in
# time): raised, so that the consumer tries again after its back-off.
_TRANSIENT_ERRORS = (*_RETRIED_ERRORS, pg_errors.QueryCanceled, pg_errors.LockNotAvailable)


def apply_account_event(
    *,
    sequence: int,
    event_type: AccountEventType,
    user_id: int,
    username: str | None = None,
    name: str = "",
    avatar_url: str | None = None,
    is_private: bool | None = None,
) -> bool:
    """Apply one users-service account event to the replica and the user's content.

    Returns False when skipped. Idempotent: the author's row is locked and an event whose
    per-account `sequence` is not above the row's `last_event_sequence` (a repeat, or older than
    one already applied) changes nothing, so delivering events at least once and in any order is
    safe. Created / updated carry the account's whole state and set username, name, avatar and
    the privacy switch (`username` is required for them; an `is_private` of None, from a
    producer that does not send it, leaves the switch as it is); deleted marks the author
    deleted and removes their posts (files after the commit), comments, likes and follows with
    every counter those fed, in the transaction that records the sequence. A deleted author
    stays deleted whatever comes later.

    Raises `EventNotApplied` when the database cannot apply it now.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return _apply_account_event(
                sequence=sequence,
                event_type=event_type,
                user_id=user_id,
                username=username,
                name=name,
                avatar_url=avatar_url,
                is_private=is_private,
            )
        except OperationalError as exc:
            if not isinstance(exc.__cause__, _TRANSIENT_ERRORS):
                raise
            logger.warning(
                "account event not applied",
                extra={
                    "user_id": user_id,
                    "sequence": sequence,
                    "attempt": attempt,
                    "error": str(exc.__cause__),
                },
            )
            if attempt == _ATTEMPTS or not isinstance(exc.__cause__, _RETRIED_ERRORS):
                raise EventNotApplied() from exc
            # Started again at once, the deletion re-took its first locks before the writer that
            # won could take them, and deadlocked with it again; a short, jittered pause lets
            # that writer finish first.
            time.sleep(random.uniform(0.1, 0.3) * attempt)  # noqa: S311 - timing, not secrets


def _apply_account_event(
    *,
    sequence: int,
    event_type: AccountEventType,
    user_id: int,
    username: str | None,
    name: str,
    avatar_url: str | None,
    is_private: bool | None,
) -> bool:
    deleting = event_type == AccountEventType.USER_DELETED
    if not deleting and not username:
        raise ValueError(f"{event_type} needs a username")
    going_public = False
    with transaction.atomic():
        # The row lock serialises every delivery of this user's events: a concurrent duplicate
        # waits here, then finds the sequence already recorded. get_or_create survives a concurrent
        # insert of the same author (its INSERT runs in a savepoint; on the IntegrityError it
        # reads, and locks, the other transaction's row).
        author, created = Author.objects.select_for_update().get_or_create(
            pk=user_id,
            # A deletion of a user the feed never met still leaves a row: it is what marks
            # the user's tokens as belonging to a deleted account.
            defaults={"username": username or "", "name": name, "avatar_url": avatar_url},
        )
        last = author.last_event_sequence
        if not created and last is not None and sequence <= last:
            return False
        if author.deleted_at is not None and not deleting:
            # User ids are never reused: nothing brings a deleted account back.
            return False
        if deleting:
            _forget_account(user_id=user_id)
            author.deleted_at = author.deleted_at or timezone.now()
        else:
            author.username = username
            author.name = name
            author.avatar_url = avatar_url
            going_public = author.is_private and is_private is False
            if is_private is not None:
                author.is_private = is_private
        author.last_event_sequence = sequence
        # An event proves the id was issued, whatever a look-up said before.
        author.missing_since = None
        author.save(
            update_fields=[
                "username",
                "name",
                "avatar_url",
                "is_private",
                "deleted_at",
                "missing_since",
                "last_event_sequence",
                "updated_at",
            ]
        )
        if going_public:
            # Going public accepts every pending request (the contract), in this transaction:
            # a request made meanwhile waited for the row lock above and is among them.
            accept_every_follow_request(target_id=user_id)
    return True


def _forget_account(*, user_id: int) -> None:
    """Remove everything a deleted user left: posts (files after the commit), comments, likes,
    bookmarks, follows both ways with every counter they fed, follow requests, blocks and mutes
    both ways, the user's inbox and their collections."""
    # Content before follows: the follows step takes the counter rows of everyone on the other
    # side, and other writers take counter rows last; holding them for the shortest time makes
    # a deadlock with those writers least likely.
    delete_user_content(user_id=user_id)
    # Also deletes the user's own counters row, posts_count with it.
    forget_user_follows(user_id=user_id)
    forget_user_relationships(user_id=user_id)
    forget_inbox(user_id=user_id)
    forget_user_collections(user_id=user_id)
