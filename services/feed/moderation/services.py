"""Every write of reports and moderation: reporting a target, and resolving its reports.

A moderator's decision is recorded (`ModerationAction`) in the transaction that carries it
out, and resolves every open report on the target at once. Removing content goes through the
functions that delete it for its author, so counters, inboxes and events stay right.
"""

from contextlib import suppress

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound

from actions.posts import delete_post
from authors.services import ensure_author_exists, lock_authors_for_writing
from moderation.models import ModerationAction, Report, TargetType
from posts.models import Comment, Post
from posts.services import delete_comment
from relationships.visibility import BlockingUser, check_can_act_on, not_blocked_q, visible_q
from shared.db import get_or_create_toggle

NO_TARGET = {
    TargetType.POST: "No post with that id.",
    TargetType.COMMENT: "No comment with that id.",
    TargetType.USER: "No user with that id.",
}
ONLY_CONTENT_IS_REMOVED = (
    "Only posts and comments can be removed; an account is closed in the users service."
)


def _require_visible_target(*, viewer_id: int, target_type: str, target_id: int) -> None:
    """`NotFound` unless the target exists for `viewer_id`, as the visibility policy says its
    own read would answer: a post or comment of someone in a block with the viewer (or of a
    private account they do not follow) does not exist for them, nor an account that blocks
    them. One query (a user the replica has not met costs a look-up in the users service)."""
    if target_type == TargetType.POST:
        visible = Post.objects.filter(visible_q(viewer_id, "author_id"), pk=target_id).exists()
    elif target_type == TargetType.COMMENT:
        visible = Comment.objects.filter(
            visible_q(viewer_id, "post__author_id"),
            not_blocked_q(viewer_id, "author_id"),
            pk=target_id,
        ).exists()
    else:
        # Users the replica has not met yet are asked of the users service (503 when down).
        visible = ensure_author_exists(target_id) is not None
        # Reporting an account one blocks is what blocking an abuser often comes with: only
        # an account that blocks the reporter does not exist for them.
        if visible:
            with suppress(BlockingUser):
                check_can_act_on(actor_id=viewer_id, target_id=target_id)
    if not visible:
        raise NotFound(NO_TARGET[TargetType(target_type)])


def report_target(
    *, reporter_id: int, target_type: str, target_id: int, reason: str, note: str = ""
) -> tuple[Report, bool]:
    """Report a target as `reporter_id`; return (report, created).

    While the reporter's earlier report of the same target is open, that one is returned
    (created False) unchanged. Concurrent reports all try to insert; the partial unique
    constraint on open reports lets one through, and `get_or_create_toggle` hands the others
    the winner (or inserts again when a moderator resolved the winner meanwhile). Raises
    `NotFound` when the target does not exist for the reporter, `AccountDeleted` when the
    reporter's account is deleted.
    """
    _require_visible_target(viewer_id=reporter_id, target_type=target_type, target_id=target_id)
    with transaction.atomic():
        lock_authors_for_writing(writer_id=reporter_id)
        return get_or_create_toggle(
            Report.objects,
            reporter_id=reporter_id,
            target_type=target_type,
            target_id=target_id,
            status=Report.Status.OPEN,
            defaults={"reason": reason, "note": note},
        )


def _remove_target(*, target_type: str, target_id: int) -> bool:
    """Delete the post or comment as its author's delete would; False if it was already gone.

    Call inside the resolving transaction: the row lock taken here first makes the answer
    exact when two moderators (or the author) delete the same content at once.
    """
    if target_type == TargetType.POST:
        post = Post.objects.select_for_update().filter(pk=target_id).first()
        if post is None:
            return False
        delete_post(post=post)
        return True
    comment = Comment.objects.select_for_update().filter(pk=target_id).first()
    if comment is None:
        return False
    delete_comment(comment=comment)
    return True


def decide(*, moderator_id: int, action: str, target_type: str, target_id: int) -> ModerationAction:
    """Take `action` ("dismiss" or "remove") on the target as `moderator_id`, record it, and
    resolve every open report on the target with it; return the record.

    The one path of every moderation decision: the API's resolve and the admin's deletes.
    Raises `ValidationError` for removing a user (accounts close in the users service).
    """
    if action == ModerationAction.Action.REMOVE and target_type == TargetType.USER:
        raise ValidationError({"action": [ONLY_CONTENT_IS_REMOVED]})
    with transaction.atomic():
        # Every report this resolves, locked in id order: two moderators resolving two
        # reports of one target wait for each other instead of deadlocking, and the second
        # finds the reports already resolved.
        open_reports = list(
            Report.objects.select_for_update()
            .filter(target_type=target_type, target_id=target_id, status=Report.Status.OPEN)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        removed = action == ModerationAction.Action.REMOVE and _remove_target(
            target_type=target_type, target_id=target_id
        )
        record = ModerationAction.objects.create(
            moderator_id=moderator_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            removed_content=removed,
        )
        Report.objects.filter(pk__in=open_reports).update(
            status=Report.Status.RESOLVED, resolved_at=timezone.now(), resolution=record
        )
    return record


def resolve_report(*, report_id: int, moderator_id: int, action: str) -> ModerationAction:
    """`decide` on the report's target: every open report on it resolves with this one.

    A report resolved before is resolved again only in that the action is taken and recorded
    (a later `remove` after a `dismiss`, say); it keeps its first resolution. Raises
    `NotFound` for no such report, `ValidationError` for removing a user.
    """
    report = Report.objects.filter(pk=report_id).only("target_type", "target_id").first()
    if report is None:
        raise NotFound("No report with that id.")
    return decide(
        moderator_id=moderator_id,
        action=action,
        target_type=report.target_type,
        target_id=report.target_id,
    )
