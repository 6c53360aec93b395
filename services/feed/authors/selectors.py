"""Reads of the author replica: user summaries for rendering, and "does this user exist?"."""

import logging
from collections.abc import Iterable

from authors import client
from authors.client import UsersServiceUnavailable, UserSummary
from authors.models import Author
from authors.services import cache_authors

logger = logging.getLogger(__name__)


def unknown_user_summary(user_id: int) -> UserSummary:
    """The summary drawn for a user neither the replica nor the users service can describe.

    `username` is null rather than invented, so a client can tell "unknown" from a real name.
    """
    return {"id": user_id, "username": None, "avatar_url": None}


def author_summaries(user_ids: Iterable[int]) -> dict[int, UserSummary]:
    """Return a summary for every id in `user_ids`, keyed by id.

    One query on the replica; ids it does not hold are asked of the users service in one bulk
    call (per 100 ids) and cached. When the users service is down or does not know an id, that
    id gets `unknown_user_summary` instead: a page still renders.
    """
    wanted = {int(user_id) for user_id in user_ids}
    if not wanted:
        return {}
    summaries: dict[int, UserSummary] = {
        row["id"]: row
        for row in Author.objects.filter(pk__in=wanted).values("id", "username", "avatar_url")
    }
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
