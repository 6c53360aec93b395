"""Every read of the actor replica."""

from collections.abc import Iterable

from actors.models import Actor


def actor_summaries(user_ids: Iterable[int]) -> dict[int, dict]:
    """The summaries (`{id, username, avatar_url}`) of those of `user_ids` known, in one query."""
    rows = Actor.objects.filter(pk__in=set(user_ids)).values("id", "username", "avatar_url")
    return {row["id"]: row for row in rows}
