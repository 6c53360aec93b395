"""Writes to the author replica: what tokens and look-ups teach it, and the account events.

Look-ups of users the replica lacks (`summarize_authors`, `ensure_author_exists`) are here
because they cache what the users service answers.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg2 import errors as pg_errors

from authors import client
from authors.client import UsersServiceUnavailable, UserSummary
from authors.models import Author
from authors.selectors import replica_summaries, unknown_user_summary
from shared.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


def _token_issued_at(user: Any) -> datetime | None:
    token = getattr(user, "token", None)
    issued = token.get("iat") if token is not None else None
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        return None
    return datetime.fromtimestamp(issued, tz=UTC)


def remember_author_from_token(user: Any) -> None:
    """Record the caller's username from their access token in the replica.

    Called when a user writes, so that everything they write can be rendered without asking
    the users service. Costs one SELECT when nothing changed. A token issued before the row's
    last update (e.g. by a rename event) carries an older name and is ignored; a deleted
    author is never brought back. The avatar is not in the token: it comes from the users
    service (events and look-ups).
    """
    username = getattr(user, "username", "")
    if not username or not getattr(user, "is_authenticated", False):
        return
    row = Author.objects.filter(pk=user.id).values("username", "updated_at", "deleted_at").first()
    if row is None:
        # ON CONFLICT DO NOTHING: a concurrent request or event may insert the same author.
        Author.objects.bulk_create([Author(id=user.id, username=username)], ignore_conflicts=True)
        return
    if row["deleted_at"] is not None or row["username"] == username:
        return
    issued_at = _token_issued_at(user)
    if issued_at is None or issued_at <= row["updated_at"]:
        return
    Author.objects.filter(pk=user.id, updated_at__lt=issued_at, deleted_at__isnull=True).update(
        username=username, updated_at=timezone.now()
    )


def cache_authors(users: Iterable[UserSummary]) -> None:
    """Insert users the replica does not hold yet; rows it has are left to the events."""
    Author.objects.bulk_create(
        [
            Author(id=user["id"], username=user["username"], avatar_url=user["avatar_url"])
            for user in users
            if user["username"]
        ],
        ignore_conflicts=True,
    )


def summarize_authors(user_ids: Iterable[int]) -> dict[int, UserSummary]:
    """Return a summary for every id in `user_ids`, keyed by id.

    One query on the replica; ids it does not hold are asked of the users service in one bulk
    call (per 100 ids) and cached. When the users service is down or does not know an id, that
    id gets `unknown_user_summary` instead: a page still renders.
    """
    wanted = {int(user_id) for user_id in user_ids}
    if not wanted:
        return {}
    summaries = replica_summaries(wanted)
    missing = wanted - summaries.keys()
    if missing:
        try:
            fetched = client.get_users(missing)
        except UsersServiceUnavailable:
            logger.warning("rendering unknown authors as placeholders", extra={"n": len(missing)})
            fetched = {}
        if fetched:
            cache_authors(fetched.values())
        summaries.update(fetched)
        summaries.update(
            {user_id: unknown_user_summary(user_id) for user_id in missing - fetched.keys()}
        )
    return summaries


def ensure_author_exists(user_id: int) -> Author | None:
    """Return the replica's row for `user_id`, asking the users service if the feed has none.

    None when the user does not exist (or has been deleted). Raises `UsersServiceUnavailable`
    (503) when the replica does not know the user and the users service cannot answer.
    """
    author = Author.objects.filter(pk=user_id).first()
    if author is not None:
        return None if author.deleted_at is not None else author
    user = client.get_user(user_id)
    if user is None:
        return None
    cache_authors([user])
    return Author.objects.filter(pk=user_id, deleted_at__isnull=True).first()


def lock_authors_for_writing(user_ids: Iterable[int]) -> set[int]:
    """Lock these users' replica rows against a deletion until the transaction ends.

    Call first in a transaction that creates content by or about these users; returns those of
    them whose account is deleted (the caller refuses the write). Applying `user.deleted` locks
    the row FOR UPDATE, which this lock (FOR KEY SHARE) holds off: either this write commits
    first and the deletion then removes what it wrote, or the deletion commits first and this
    returns the user as deleted. Users the replica does not hold are not locked and not deleted.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_authors_for_writing must run inside the writing transaction.")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id, deleted_at IS NOT NULL FROM {Author._meta.db_table}
            WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE
            """,  # noqa: S608 - the table name comes from the model, values are parameters
            [sorted({int(user_id) for user_id in user_ids})],
        )
        return {user_id for user_id, deleted in cursor.fetchall() if deleted}


# --- Account events --------------------------------------------------------------------------


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
    # Imported here: posts and social import this app (selectors, mixins) at module level.
    from posts.services import delete_user_content
    from social.services import forget_user_follows

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
            # Content before follows: the follows step takes the counter rows of everyone on
            # the other side, and other writers take counter rows last; holding them for the
            # shortest time makes a deadlock with those writers least likely.
            delete_user_content(user_id=user_id)
            forget_user_follows(user_id=user_id)
            author.deleted_at = author.deleted_at or timezone.now()
        else:
            author.username = username
            author.avatar_url = avatar_url
        author.last_event_id = event_id
        author.save(
            update_fields=["username", "avatar_url", "deleted_at", "last_event_id", "updated_at"]
        )
    return True
