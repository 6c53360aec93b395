"""Every read of follows and counters."""

from typing import TypedDict

from django.db.models import QuerySet

from posts.models import Post
from relationships.models import Follow
from relationships.selectors import viewer_relation
from relationships.visibility import not_blocked_q, visible_q
from shared.counters import Counter
from social.models import UserStats


class Stats(TypedDict):
    user_id: int
    posts_count: int
    followers_count: int
    following_count: int
    followed_by_me: bool
    follow_requested_by_me: bool
    blocked_by_me: bool
    muted_by_me: bool


def followers_of(user_id: int, *, viewer_id: int | None) -> QuerySet[Follow]:
    """Follows of `user_id` as the viewer may see them: none when the viewer may not see the
    user (`relationships.visibility`), and none by a user in a block with the viewer. Paginate
    on ("-created_at", "-id") (index follows_followee_recent)."""
    return (
        Follow.objects.filter(followee_id=user_id)
        .filter(visible_q(viewer_id, user_id), not_blocked_q(viewer_id, "follower_id"))
        .only("id", "follower_id", "created_at")
    )


def followed_by(user_id: int, *, viewer_id: int | None) -> QuerySet[Follow]:
    """Follows by `user_id` as the viewer may see them (as `followers_of`). Paginate on
    ("-created_at", "-id") (index follows_follower_recent)."""
    return (
        Follow.objects.filter(follower_id=user_id)
        .filter(visible_q(viewer_id, user_id), not_blocked_q(viewer_id, "followee_id"))
        .only("id", "followee_id", "created_at")
    )


def user_stats(user_id: int, *, viewer_id: int | None = None) -> Stats:
    """The user's stored counters (zeros without a row), visible to everyone, and how the
    viewer stands with them (all false for anonymous viewers). Two queries."""
    counts = (
        UserStats.objects.filter(pk=user_id)
        .values("posts_count", "followers_count", "following_count")
        .first()
    )
    counts = counts or {"posts_count": 0, "followers_count": 0, "following_count": 0}
    return {"user_id": user_id, **counts, **viewer_relation(viewer_id=viewer_id, user_id=user_id)}


def user_stats_counters() -> tuple[Counter, ...]:
    """The counters stored per user (`UserStats`), with the recount of each from its rows."""
    stats, posts, follows = UserStats._meta.db_table, Post._meta.db_table, Follow._meta.db_table
    # Table names come from the models.
    recounts = {
        "posts_count": f"SELECT author_id, count(*) FROM {posts} GROUP BY author_id",  # noqa: S608
        "followers_count": f"SELECT followee_id, count(*) FROM {follows} GROUP BY followee_id",  # noqa: S608
        "following_count": f"SELECT follower_id, count(*) FROM {follows} GROUP BY follower_id",  # noqa: S608
    }
    return tuple(
        Counter(name=f"social.{column}", table=stats, key="user_id", column=column, recount=sql)
        for column, sql in recounts.items()
    )
