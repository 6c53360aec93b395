"""Notifications, the state of the actions behind them (blocks and mutes too), per-user settings."""

from django.db import models
from django.db.models import F, Q

from actors.models import Actor


class NotificationType(models.TextChoices):
    LIKE = "like"
    COMMENT = "comment"
    REPLY = "reply"
    MENTION = "mention"
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    FOLLOW_ACCEPTED = "follow_accepted"
    COMMENT_LIKE = "comment_like"


class Notification(models.Model):
    """`actor` did something that concerns `recipient_id`.

    `action_key` names the action that caused it (`like:<post>:<user>`, `comment:<comment>`,
    `follow:<follower>:<followee>`...): undoing the action deletes every notification with its
    key. `group_key` is what the grouped view folds together: likes of one post, likes of one
    comment, follows of one UTC day; every other notification is a group of its own.
    """

    id = models.BigAutoField(primary_key=True)
    recipient_id = models.BigIntegerField()
    # The replica row always exists first (actors.services.lock_live_users).
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=NotificationType.choices)
    post_id = models.BigIntegerField(null=True, blank=True)
    comment_id = models.BigIntegerField(null=True, blank=True)
    action_key = models.CharField(max_length=100)
    group_key = models.CharField(max_length=100)
    # When the action happened (the event's time), not when it arrived here.
    created_at = models.DateTimeField()
    read = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # A redelivered or repeated action notifies once.
            models.UniqueConstraint(
                fields=["action_key", "recipient_id", "type"], name="notifications_one_per_action"
            ),
            models.CheckConstraint(
                condition=~Q(recipient_id=F("actor_id")), name="notifications_not_self"
            ),
        ]
        indexes = [
            # Serves the list (newest first, keyset on id), the grouped view and mark-read.
            models.Index("recipient_id", F("id").desc(), name="notifications_recipient_recent"),
            # Serves the unread count: as small as what is unread.
            models.Index("recipient_id", name="notifications_unread", condition=Q(read=False)),
            # Serves withdrawing an action's notifications.
            models.Index("action_key", name="notifications_action"),
            # Serves removing what a deleted account sent, and what a block removes.
            models.Index("actor", "recipient_id", name="notifications_actor"),
            # Serves removing a deleted post's notifications.
            models.Index("post_id", name="notifications_post", condition=Q(post_id__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.type} from {self.actor_id} to {self.recipient_id}"


class ActionState(models.Model):
    """The newest known state of one action, by the producer's per-aggregate sequence.

    Events can arrive out of order (a redelivery, a retry, several consumers): an unlike that
    arrives before its like leaves `active=False` at its sequence, and the like, older, then
    changes nothing. Deleted posts and comments keep a row too, so that events about them that
    arrive late are dropped, and so do blocks and mutes (`block:<blocker>:<blocked>`,
    `mute:<muter>:<muted>`), which decide who may notify whom.
    """

    key = models.CharField(max_length=100, primary_key=True)
    sequence = models.BigIntegerField()
    active = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key}#{self.sequence} {'active' if self.active else 'undone'}"


def _setting() -> models.BooleanField:
    return models.BooleanField(default=True)


class NotificationSettings(models.Model):
    """Which types a user wants; a user without a row wants every type."""

    user_id = models.BigIntegerField(primary_key=True)
    like = _setting()
    comment = _setting()
    reply = _setting()
    mention = _setting()
    follow = _setting()
    follow_request = _setting()
    follow_accepted = _setting()
    comment_like = _setting()

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Settings of {self.user_id}"
