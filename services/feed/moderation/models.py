"""Reports of posts, comments and users, and the record of what moderators did about them."""

from django.db import models

NOTE_MAX_LENGTH = 1000


class TargetType(models.TextChoices):
    POST = "post"
    COMMENT = "comment"
    USER = "user"


class ModerationAction(models.Model):
    """One decision by a moderator (who, when, what, on which target): the audit record.

    Written with the change it decides, in the same transaction; never updated or deleted.
    The reports it resolved point at it (`Report.resolution`).
    """

    class Action(models.TextChoices):
        DISMISS = "dismiss"
        REMOVE = "remove"

    # The staff user's id in the users service (the `user_id` of their token).
    moderator_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    # Whether `remove` found the content to delete (False: already gone, e.g. by its author).
    removed_content = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The history of one target, for the admin: WHERE target_type = ? AND target_id = ?.
            models.Index("target_type", "target_id", name="moderation_actions_target"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type} {self.target_id} by {self.moderator_id}"


class Report(models.Model):
    """A user's report of a post, a comment or a user; open until a moderator resolves it."""

    class Reason(models.TextChoices):
        SPAM = "spam"
        HARASSMENT = "harassment"
        NUDITY = "nudity"
        VIOLENCE = "violence"
        HATE = "hate"
        SELF_HARM = "self_harm"
        OTHER = "other"

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    reporter_id = models.BigIntegerField()
    # Not foreign keys: the target may be deleted (by its author, or by this report's
    # resolution) and the report must stay as the record of what was reported.
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.ForeignKey(
        ModerationAction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )

    class Meta:
        constraints = [
            # One open report per reporter and target, whatever the concurrency
            # (`services.report_target` relies on it); once resolved, the same reporter may
            # report the target again.
            models.UniqueConstraint(
                "reporter_id",
                "target_type",
                "target_id",
                condition=models.Q(status="open"),
                name="reports_one_open_per_reporter",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="open", resolution__isnull=True, resolved_at__isnull=True)
                    | models.Q(
                        status="resolved", resolution__isnull=False, resolved_at__isnull=False
                    )
                ),
                name="reports_resolved_with_an_action",
            ),
        ]
        indexes = [
            # The queue: WHERE status = ? AND (created_at, id) > cursor ORDER BY created_at, id.
            models.Index("status", "created_at", "id", name="reports_queue"),
            # `report_count` per queue row and resolving a target's reports at once:
            # WHERE target_type = ? AND target_id = ? AND status = 'open'.
            models.Index(
                "target_type",
                "target_id",
                condition=models.Q(status="open"),
                name="reports_open_on_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id} ({self.reason}, {self.status})"
