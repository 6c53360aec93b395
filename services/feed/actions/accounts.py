"""Account events from the users service, applied across the feed's apps.

A sign-up or a change of username or avatar updates the author replica; a deletion marks the
author deleted and removes everything the user left in every app, in the transaction that
records the event.
"""

import logging
from enum import StrEnum

from django.db import OperationalError, transaction
from django.utils import timezone
from psycopg2 import errors as pg_errors

from authors.models import Author
from posts.services import delete_user_content
from shared.errors import ServiceUnavailable
from social.services import forget_user_follows
from timeline.services import forget_inbox

logger = logging.getLogger(__name__)


class AccountEventType(StrEnum):
    """The users service's event types (its outbox's `EventType`), as they arrive on the wire."""

    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DELETED = "user.deleted"


class EventNotApplied(ServiceUnavailable):
    """The database could not apply an event now (lock conflict, timeout): the sender retries."""

    default_detail = "The event could not be applied now; retry later."
    default_code = "event_not_applied"


# A deletion takes row locks across posts, likes, comments, follows and counters; a writer taking
# the same rows in another order at that moment can deadlock with it. Postgres then aborts one of
# the two, and the whole event is simply applied again from the start.
_RETRIED_ERRORS = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)
_ATTEMPTS = 3
# Errors that retrying at once would not cure (a statement past its timeout, a lock not granted in
# time): answered 503 so that the dispatcher tries again after its back-off.
_TRANSIENT_ERRORS = (*_RETRIED_ERRORS, pg_errors.QueryCanceled, pg_errors.LockNotAvailable)


def apply_account_event(
    *,
    event_id: int,
    event_type: AccountEventType,
    user_id: int,
    username: str | None = None,
    avatar_url: str | None = None,
) -> bool:
    """Apply one users-service event to the replica and the user's content; False if skipped.

    Idempotent: the author's row is locked and an event whose id is not above the row's
    `last_event_id` (a repeat, or older than one already applied) changes nothing, so delivering
    events at least once and in any order is safe. `user.created` / `user.updated` set the
    username and avatar (`username` is required for them); `user.deleted` marks the author
    deleted and removes their posts (files after the commit), comments, likes and follows with
    every counter those fed, in the transaction that records the event id. A deleted author stays
    deleted whatever event comes later.

    Raises `EventNotApplied` (503) when the database cannot apply it now.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return _apply_account_event(
                event_id=event_id,
                event_type=event_type,
                user_id=user_id,
                username=username,
                avatar_url=avatar_url,
            )
        except OperationalError as exc:
            if not isinstance(exc.__cause__, _TRANSIENT_ERRORS):
                raise
            logger.warning(
                "account event not applied",
                extra={"event_id": event_id, "attempt": attempt, "error": str(exc.__cause__)},
            )
            if attempt == _ATTEMPTS or not isinstance(exc.__cause__, _RETRIED_ERRORS):
                raise EventNotApplied() from exc


def _apply_account_event(
    *,
    event_id: int,
    event_type: AccountEventType,
    user_id: int,
    username: str | None,
    avatar_url: str | None,
) -> bool:
    deleting = event_type == AccountEventType.USER_DELETED
    if not deleting and not username:
        raise ValueError(f"{event_type} needs a username")
    with transaction.atomic():
        # The row lock serialises every delivery of this user's events: a concurrent duplicate
        # waits here, then finds the id already recorded. get_or_create survives a concurrent
        # insert of the same author (its INSERT runs in a savepoint; on the IntegrityError it
        # reads, and locks, the other transaction's row).
        author, created = Author.objects.select_for_update().get_or_create(
            pk=user_id,
            # A deletion of a user the feed never met still leaves a row: it is what marks
            # the user's tokens as belonging to a deleted account.
            defaults={"username": username or "", "avatar_url": avatar_url},
        )
        if not created and author.last_event_id is not None and event_id <= author.last_event_id:
            return False
        if author.deleted_at is not None and not deleting:
            # User ids are never reused: nothing brings a deleted account back.
            return False
        if deleting:
            _forget_account(user_id=user_id)
            author.deleted_at = author.deleted_at or timezone.now()
        else:
            author.username = username
            author.avatar_url = avatar_url
        author.last_event_id = event_id
        # An event proves the id was issued, whatever a look-up said before.
        author.missing_since = None
        author.save(
            update_fields=[
                "username",
                "avatar_url",
                "deleted_at",
                "missing_since",
                "last_event_id",
                "updated_at",
            ]
        )
    return True


def _forget_account(*, user_id: int) -> None:
    """Remove everything a deleted user left: posts (files after the commit), comments, likes,
    follows both ways with every counter they fed, and the user's inbox."""
    # Content before follows: the follows step takes the counter rows of everyone on the other
    # side, and other writers take counter rows last; holding them for the shortest time makes
    # a deadlock with those writers least likely.
    delete_user_content(user_id=user_id)
    # Also deletes the user's own counters row, posts_count with it.
    forget_user_follows(user_id=user_id)
    forget_inbox(user_id=user_id)
