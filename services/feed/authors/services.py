"""Writes to the author replica."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from authors.client import UserSummary
from authors.models import Author


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
