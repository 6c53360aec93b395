"""Writes to the author replica: what tokens and look-ups teach it, and the lock that holds off
an account's deletion while its user writes.

Look-ups of users the replica lacks (`summarize_authors`, `ensure_author_exists`) are here
because they cache what the users service answers. The account events that change the replica
are applied by `actions.accounts`, above every app they reach.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from authors import client
from authors.client import UsersServiceUnavailable, UserSummary
from authors.errors import AccountDeleted
from authors.models import Author
from authors.selectors import replica_summaries, unknown_user_summary

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
    row = (
        Author.objects.filter(pk=user.id)
        .values("username", "updated_at", "deleted_at", "missing_since")
        .first()
    )
    if row is None:
        # ON CONFLICT DO NOTHING: a concurrent request or event may insert the same author.
        Author.objects.bulk_create([Author(id=user.id, username=username)], ignore_conflicts=True)
        return
    issued_at = _token_issued_at(user)
    if row["missing_since"] is not None:
        # Missing at a look-up; a token issued since then proves the id exists now.
        if issued_at is not None and issued_at > row["missing_since"]:
            _revive_missing_user({"id": user.id, "username": username, "avatar_url": None})
        return
    if row["deleted_at"] is not None or row["username"] == username:
        return
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


def remember_missing_users(user_ids: Iterable[int]) -> None:
    """Record that the users service just said it has none of `user_ids`.

    A row without a name, `missing_since` now: the feed's tokens check refuses that id's tokens
    issued before now (the users service never issued them). Should the id be issued later, its
    first event, a later look-up or a token issued after now make it an author like any other.
    Authors the replica holds are left alone; ids already missing are marked missing as of now.
    """
    now = timezone.now()
    ids = sorted({int(user_id) for user_id in user_ids})
    Author.objects.bulk_create(
        [Author(id=user_id, username="", missing_since=now) for user_id in ids],
        ignore_conflicts=True,
    )
    Author.objects.filter(pk__in=ids, missing_since__isnull=False).update(missing_since=now)


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
        else:
            remember_missing_users(missing - fetched.keys())
        if fetched:
            cache_authors(fetched.values())
        summaries.update(fetched)
        summaries.update(
            {user_id: unknown_user_summary(user_id) for user_id in missing - fetched.keys()}
        )
    return summaries


def fetch_users_by_username(usernames: Iterable[str]) -> dict[str, UserSummary]:
    """Ask the users service who has these usernames (one bulk call per 100 names), cache the
    users found in the replica and return them keyed by username. For names the replica has not
    met (`authors.selectors.users_by_username`). Raises `UsersServiceUnavailable` (503) when
    the users service cannot answer, as for following an unknown user."""
    fetched = client.get_users_by_username(usernames)
    cache_authors(fetched.values())
    return fetched


def ensure_author_exists(user_id: int) -> Author | None:
    """Return the replica's row for `user_id`, asking the users service if the feed has none.

    None when the user does not exist (or has been deleted). Raises `UsersServiceUnavailable`
    (503) when the replica does not know the user and the users service cannot answer.
    """
    author = Author.objects.filter(pk=user_id).first()
    missing = author is not None and author.missing_since is not None
    if author is not None and not missing:
        return None if author.deleted_at is not None else author
    # Unknown, or missing at an earlier look-up (the id may have been issued since): ask.
    user = client.get_user(user_id)
    if user is None:
        remember_missing_users([user_id])
        return None
    if missing:
        _revive_missing_user(user)
    else:
        cache_authors([user])
    return Author.objects.filter(pk=user_id, deleted_at__isnull=True).first()


def _revive_missing_user(user: UserSummary) -> None:
    """Make an id that a look-up found missing an author: the users service has issued it since."""
    Author.objects.filter(pk=user["id"], missing_since__isnull=False).update(
        username=user["username"], avatar_url=user["avatar_url"], missing_since=None
    )


def lock_authors_for_writing(*, writer_id: int, others: Iterable[int] = ()) -> set[int]:
    """Lock the writer's and `others`' replica rows against a deletion until the transaction ends.

    Call first in the transaction that writes content by the writer (or about `others`).
    Raises `AccountDeleted` when the writer's account is deleted; returns those of `others`
    whose account is (the caller refuses to write about them). Applying `user.deleted` locks
    the row FOR UPDATE, which this lock (FOR KEY SHARE) holds off: either this write commits
    first and the deletion then removes what it wrote, or the deletion commits first and this
    refuses the write. Users the replica does not hold are not locked and not deleted.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_authors_for_writing must run inside the writing transaction.")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id, deleted_at IS NOT NULL FROM {Author._meta.db_table}
            WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE
            """,  # noqa: S608 - the table name comes from the model, values are parameters
            [sorted({int(writer_id), *(int(user_id) for user_id in others)})],
        )
        deleted = {user_id for user_id, is_deleted in cursor.fetchall() if is_deleted}
    if writer_id in deleted:
        raise AccountDeleted()
    return deleted
