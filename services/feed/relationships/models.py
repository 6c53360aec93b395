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


class FollowRequest(models.Model):
    """`requester_id` asks to follow `target_id`, a private account, until it is answered.

    Accepting turns it into a `Follow` (and deletes it); rejecting and withdrawing delete it; a
    block between the two deletes it too. Counters count follows only, never requests.
    """

    requester_id = models.BigIntegerField()
    target_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One pending request per pair, whatever the concurrency (request_follow relies on
            # it). Its index also serves follow_requested_by_me and each answer's lookup
            # (WHERE requester_id = ? AND target_id = ?).
            models.UniqueConstraint(
                "requester_id", "target_id", name="follow_requests_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(requester_id=models.F("target_id")),
                name="follow_requests_not_self",
            ),
        ]
        indexes = [
            # GET /follow-requests: WHERE target_id = ? AND (created_at, id) < cursor ORDER BY
            # created_at DESC, id DESC LIMIT n. Also going public (every request to the target)
            # and removing a deleted user's requests.
            models.Index(
                "target_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="follow_requests_target_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester_id} asks to follow {self.target_id}"


class Block(models.Model):
    """`blocker_id` blocks `blocked_id`: neither sees the other's content from then on."""

    blocker_id = models.BigIntegerField()
    blocked_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One block per pair (block_user relies on it). Its index serves the policy's probe
            # "does V block A" (WHERE blocker_id = ? AND blocked_id = ?, index-only) and the
            # viewer's own blocks in `hidden_user_ids` (WHERE blocker_id = ?).
            models.UniqueConstraint("blocker_id", "blocked_id", name="blocks_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker_id=models.F("blocked_id")), name="blocks_not_self"
            ),
        ]
        indexes = [
            # The other direction of the policy: "does A block V", and who blocks the viewer in
            # `hidden_user_ids` (WHERE blocked_id = ?, index-only). Also a deleted user's blocks.
            models.Index("blocked_id", "blocker_id", name="blocks_blocked"),
            # GET /blocks: WHERE blocker_id = ? AND (created_at, id) < cursor ORDER BY
            # created_at DESC, id DESC LIMIT n.
            models.Index(
                "blocker_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="blocks_blocker_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """`muter_id` mutes `muted_id`: the muted account's posts leave the muter's home timeline
    and explore. Nothing else changes, and the muted account cannot tell."""

    muter_id = models.BigIntegerField()
    muted_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One mute per pair (mute_user relies on it). Its index serves muted_by_me and the
            # viewer's mutes in `hidden_user_ids` (WHERE muter_id = ?, index-only).
            models.UniqueConstraint("muter_id", "muted_id", name="mutes_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(muter_id=models.F("muted_id")), name="mutes_not_self"
            ),
        ]
        indexes = [
            # GET /mutes: WHERE muter_id = ? AND (created_at, id) < cursor ORDER BY created_at
            # DESC, id DESC LIMIT n.
            models.Index(
                "muter_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="mutes_muter_recent",
            ),
            # Removing a deleted user's mutes by others: WHERE muted_id = ?.
            models.Index("muted_id", name="mutes_muted"),
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"
