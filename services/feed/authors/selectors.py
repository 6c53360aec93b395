"""Reads of the author replica: user summaries for rendering, and the replica's row of a user.

Read-only: what the users service says about users the replica lacks is fetched and cached by
`authors.services.summarize_authors` and `ensure_author_exists`.
"""

from collections.abc import Iterable

from authors.client import UserSummary
from authors.models import Author


def unknown_user_summary(user_id: int) -> UserSummary:
    """The summary drawn for a user neither the replica nor the users service can describe.

    `username` is null rather than invented, so a client can tell "unknown" from a real name.
    """
    return {"id": user_id, "username": None, "avatar_url": None}


def replica_summaries(user_ids: Iterable[int]) -> dict[int, UserSummary]:
    """The summaries the replica holds of `user_ids`, keyed by id (one query)."""
    rows = Author.objects.filter(pk__in=user_ids).values("id", "username", "avatar_url")
    # A user the users service said it never had has no name: drawn like an unknown one.
    return {row["id"]: {**row, "username": row["username"] or None} for row in rows}


def users_by_username(usernames: Iterable[str]) -> dict[str, UserSummary | None]:
    """What the replica knows of these (lower-case) usernames, keyed by username (one query):
    a summary, or None for a deleted account. Names it has not met are absent."""
    rows = Author.objects.filter(username__in=set(usernames)).values(
        "id", "username", "avatar_url", "deleted_at"
    )
    return {
        row["username"]: None
        if row["deleted_at"] is not None
        else {"id": row["id"], "username": row["username"], "avatar_url": row["avatar_url"]}
        for row in rows
    }


def replica_summary(user_id: int) -> UserSummary:
    """The summary of one user as the replica holds them, or `unknown_user_summary` (one query):
    what an event names its actor with."""
    return replica_summaries([user_id]).get(user_id) or unknown_user_summary(user_id)
