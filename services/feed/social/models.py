"""The social graph (who follows whom) and the per-user counters shown by /users/{id}/stats."""

from django.db import models


class Follow(models.Model):
    """`follower_id` follows `followee_id`; both are users of the users service, known by id."""

    follower_id = models.BigIntegerField()
    followee_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One follow per pair, whatever the concurrency (follow_user relies on it). Its index
            # (follower_id, followee_id) also serves the home timeline's followee set
            # (WHERE follower_id = ?, index-only) and followed_by_me (WHERE follower_id = ?
            # AND followee_id = ?).
            models.UniqueConstraint("follower_id", "followee_id", name="follows_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(follower_id=models.F("followee_id")),
                name="follows_not_self",
            ),
        ]
        indexes = [
            # GET /users/{id}/followers: WHERE followee_id = ? AND (created_at, id) < cursor
            # ORDER BY created_at DESC, id DESC LIMIT n. Also removing a deleted user's followers.
            models.Index(
                "followee_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="follows_followee_recent",
            ),
            # GET /users/{id}/following: WHERE follower_id = ? AND (created_at, id) < cursor
            # ORDER BY created_at DESC, id DESC LIMIT n.
            models.Index(
                "follower_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="follows_follower_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"


class UserStats(models.Model):
    """A user's stored counters, changed with F() in the transaction that changes what they count.

    A user without a row has zeros everywhere; the row is created by the first change.
    """

    user_id = models.BigIntegerField(primary_key=True)
    posts_count = models.IntegerField(default=0)
    followers_count = models.IntegerField(default=0)
    following_count = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "user stats"
        constraints = [
            # A counter below zero means a decrement without its increment: fail loudly.
            models.CheckConstraint(
                condition=models.Q(posts_count__gte=0), name="user_stats_posts_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(followers_count__gte=0),
                name="user_stats_followers_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(following_count__gte=0),
                name="user_stats_following_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Stats of {self.user_id}"
