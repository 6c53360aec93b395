"""The relationships between users: who follows whom (and, in the visibility policy
`relationships.visibility`, who may see whose content)."""

from django.db import models


class Follow(models.Model):
    """`follower_id` follows `followee_id`; both are users of the users service, known by id."""

    follower_id = models.BigIntegerField()
    followee_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table `social` created before the follows moved here (docs/architecture.md).
        db_table = "social_follow"
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
