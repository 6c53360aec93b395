"""Every read of follows and counters."""

from typing import TypedDict

from django.db.models import QuerySet

from social.models import Follow, UserStats


class Stats(TypedDict):
    user_id: int
    posts_count: int
    followers_count: int
    following_count: int
    followed_by_me: bool


def followers_of(user_id: int) -> QuerySet[Follow]:
    """Follows of `user_id`; paginate on ("-created_at", "-id") (index follows_followee_recent)."""
    return Follow.objects.filter(followee_id=user_id).only("id", "follower_id", "created_at")


def followed_by(user_id: int) -> QuerySet[Follow]:
    """Follows by `user_id`; paginate on ("-created_at", "-id") (index follows_follower_recent)."""
    return Follow.objects.filter(follower_id=user_id).only("id", "followee_id", "created_at")


def is_following(*, follower_id: int | None, followee_id: int) -> bool:
    """Whether `follower_id` follows `followee_id`; False for anonymous (None) callers."""
    if follower_id is None:
        return False
    return Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists()


def user_stats(user_id: int, *, viewer_id: int | None = None) -> Stats:
    """The user's stored counters (zeros without a row) and whether the viewer follows them."""
    counts = (
        UserStats.objects.filter(pk=user_id)
        .values("posts_count", "followers_count", "following_count")
        .first()
    )
    counts = counts or {"posts_count": 0, "followers_count": 0, "following_count": 0}
    return {
        "user_id": user_id,
        **counts,
        "followed_by_me": is_following(follower_id=viewer_id, followee_id=user_id),
    }
