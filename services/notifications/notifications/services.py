"""Every write to notifications: one function per action the other services report, and the
reader's own writes (mark read, settings).

The `apply_*` functions are what the event handlers (config/events.py) call, each inside the
transaction that also records the event as applied. Each takes the producer's per-aggregate
`sequence`, so that an action and its undoing settle on the newer of the two whatever order
they arrive in (`note_action`), and refuses what the rules forbid in one place (`notify`):
nobody is notified of their own actions, nor by or of a deleted account, nor of a type they
turned off, nor across a block, nor by someone they mute.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from actors.services import ActorSummary, lock_live_users, mark_account_deleted, remember_actor
from notifications.models import ActionState, Notification, NotificationSettings, NotificationType

_NOTE_ACTION_SQL = f"""
    INSERT INTO {ActionState._meta.db_table} AS state (key, sequence, active, updated_at)
    VALUES (%s, %s, %s, now())
    ON CONFLICT (key) DO UPDATE
    SET sequence = EXCLUDED.sequence, active = EXCLUDED.active, updated_at = now()
    WHERE state.sequence < EXCLUDED.sequence
    RETURNING 1
"""  # noqa: S608 - the table name comes from the model; values are parameters

_INSERT_SQL = f"""
    INSERT INTO {Notification._meta.db_table}
        (recipient_id, actor_id, type, post_id, comment_id, action_key, group_key, created_at, read)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, false)
    ON CONFLICT (action_key, recipient_id, type) DO NOTHING
"""  # noqa: S608


def like_key(post_id: int, user_id: int) -> str:
    return f"like:{post_id}:{user_id}"


def comment_key(comment_id: int) -> str:
    return f"comment:{comment_id}"


def comment_like_key(comment_id: int, user_id: int) -> str:
    return f"comment_like:{comment_id}:{user_id}"


def post_key(post_id: int) -> str:
    return f"post:{post_id}"


def post_mentions_key(post_id: int) -> str:
    return f"post_mentions:{post_id}"


def post_mention_key(post_id: int, user_id: int) -> str:
    return f"post_mention:{post_id}:{user_id}"


def follow_key(follower_id: int, followee_id: int) -> str:
    return f"follow:{follower_id}:{followee_id}"


def follow_request_key(requester_id: int, target_id: int) -> str:
    return f"follow_request:{requester_id}:{target_id}"


def follow_accepted_key(requester_id: int, target_id: int) -> str:
    return f"follow_accepted:{requester_id}:{target_id}"


def block_key(blocker_id: int, blocked_id: int) -> str:
    return f"block:{blocker_id}:{blocked_id}"


def mute_key(muter_id: int, muted_id: int) -> str:
    return f"mute:{muter_id}:{muted_id}"


# --- the mechanism ---------------------------------------------------------------------------


def note_action(*, key: str, sequence: int, active: bool) -> bool:
    """Record that the action `key` is done (`active`) or undone as of `sequence`.

    Returns False, changing nothing, when a state at or above `sequence` is known already: the
    event is older than what it would replace. Locks the state row until the transaction ends,
    so two consumers applying events of one action do it one after the other.
    """
    _require_transaction("note_action")
    with connection.cursor() as cursor:
        cursor.execute(_NOTE_ACTION_SQL, [key, sequence, active])
        return cursor.fetchone() is not None


def _is_gone(key: str) -> bool:
    """Whether the post or comment `key` was deleted (its events may still be on their way)."""
    return ActionState.objects.filter(key=key, active=False).exists()


def _silenced(recipient_id: int, actor_id: int) -> bool:
    """A block either way, or the recipient muting the actor."""
    keys = [
        block_key(recipient_id, actor_id),
        block_key(actor_id, recipient_id),
        mute_key(recipient_id, actor_id),
    ]
    return ActionState.objects.filter(key__in=keys, active=True).exists()


def _wants(recipient_id: int, type: NotificationType) -> bool:
    chosen = NotificationSettings.objects.filter(user_id=recipient_id).values_list(
        type.value, flat=True
    )
    return next(iter(chosen), True)


def notify(
    *,
    type: NotificationType,
    recipient_id: int,
    actor: ActorSummary,
    action_key: str,
    group_key: str,
    occurred_at: datetime,
    post_id: int | None = None,
    comment_id: int | None = None,
) -> bool:
    """Notify `recipient_id` of `actor`'s action unless a rule forbids it; True if it did.

    The one place the rules are applied. Call inside the transaction applying the event: the
    replica rows of both users stay locked against a concurrent account deletion until it ends.
    """
    if recipient_id == actor.id:
        return False
    remember_actor(actor)
    if not lock_live_users([recipient_id, actor.id]):
        return False
    if not _wants(recipient_id, type) or _silenced(recipient_id, actor.id):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SQL,
            [
                recipient_id,
                actor.id,
                type.value,
                post_id,
                comment_id,
                action_key,
                group_key,
                occurred_at,
            ],
        )
        return cursor.rowcount == 1


def withdraw(action_key: str) -> int:
    """Delete the notifications `action_key` caused; return how many."""
    return Notification.objects.filter(action_key=action_key).delete()[0]


def _undo(*, key: str, sequence: int) -> None:
    if note_action(key=key, sequence=sequence, active=False):
        withdraw(key)


def _require_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside the transaction applying the event.")


# --- likes and posts -------------------------------------------------------------------------


@transaction.atomic
def apply_like(
    *, sequence: int, post_id: int, post_author_id: int, user: ActorSummary, occurred_at: datetime
) -> None:
    """`user` liked `post_id`: its author hears of it, grouped with the post's other likes."""
    if _is_gone(post_key(post_id)):
        return
    key = like_key(post_id, user.id)
    if note_action(key=key, sequence=sequence, active=True):
        notify(
            type=NotificationType.LIKE,
            recipient_id=post_author_id,
            actor=user,
            action_key=key,
            group_key=f"like:{post_id}",
            occurred_at=occurred_at,
            post_id=post_id,
        )


@transaction.atomic
def apply_unlike(*, sequence: int, post_id: int, user_id: int) -> None:
    _undo(key=like_key(post_id, user_id), sequence=sequence)


@transaction.atomic
def apply_post_mentions(
    *,
    sequence: int,
    post_id: int,
    author: ActorSummary,
    mentioned_user_ids: Iterable[int],
    occurred_at: datetime,
) -> None:
    """The post now mentions `mentioned_user_ids` (its creation or an edit): each newly
    mentioned user hears of a `mention`, and a user an edit stopped mentioning loses theirs.

    Each event carries every mention the post has, so only the newest applies: one state per
    post's mentions, by the post's sequence (an older event arriving late changes nothing).
    """
    if _is_gone(post_key(post_id)):
        return
    if not note_action(key=post_mentions_key(post_id), sequence=sequence, active=True):
        return
    mentioned = set(mentioned_user_ids)
    notified = Notification.objects.filter(
        post_id=post_id, type=NotificationType.MENTION, comment_id__isnull=True
    ).values_list("recipient_id", flat=True)
    for recipient_id in set(notified) - mentioned:
        withdraw(post_mention_key(post_id, recipient_id))
    for recipient_id in mentioned:
        key = post_mention_key(post_id, recipient_id)
        # Already notified of this mention: the insert's ON CONFLICT keeps the first one.
        notify(
            type=NotificationType.MENTION,
            recipient_id=recipient_id,
            actor=author,
            action_key=key,
            group_key=key,
            occurred_at=occurred_at,
            post_id=post_id,
        )


@transaction.atomic
def apply_post_deleted(*, sequence: int, post_id: int) -> None:
    """A deleted post takes its likes, comments and their notifications with it."""
    note_action(key=post_key(post_id), sequence=sequence, active=False)
    Notification.objects.filter(post_id=post_id).delete()


# --- comments --------------------------------------------------------------------------------


@transaction.atomic
def apply_comment(
    *,
    sequence: int,
    comment_id: int,
    post_id: int,
    post_author_id: int,
    author: ActorSummary,
    occurred_at: datetime,
    parent_author_id: int | None = None,
    mentioned_user_ids: Iterable[int] = (),
) -> None:
    """`author` commented on `post_id`: its author hears of a `comment`, the author of the
    comment replied to (`parent_author_id`) of a `reply`, and each user it mentions of a
    `mention`; each user once, the first of those that applies."""
    if _is_gone(post_key(post_id)):
        return
    key = comment_key(comment_id)
    if not note_action(key=key, sequence=sequence, active=True):
        return
    recipients: dict[int, NotificationType] = {}
    if parent_author_id is not None:
        recipients[parent_author_id] = NotificationType.REPLY
    recipients.setdefault(post_author_id, NotificationType.COMMENT)
    for user_id in mentioned_user_ids:
        recipients.setdefault(user_id, NotificationType.MENTION)
    for recipient_id, type in recipients.items():
        notify(
            type=type,
            recipient_id=recipient_id,
            actor=author,
            action_key=key,
            group_key=f"{key}:{recipient_id}",
            occurred_at=occurred_at,
            post_id=post_id,
            comment_id=comment_id,
        )


@transaction.atomic
def apply_comment_deleted(*, sequence: int, comment_id: int) -> None:
    """A deleted comment withdraws what it caused, its likes' notifications included."""
    _undo(key=comment_key(comment_id), sequence=sequence)
    Notification.objects.filter(comment_id=comment_id).delete()


@transaction.atomic
def apply_comment_like(
    *,
    sequence: int,
    comment_id: int,
    post_id: int,
    comment_author_id: int,
    user: ActorSummary,
    occurred_at: datetime,
) -> None:
    """`user` liked a comment: its author hears of it, grouped with the comment's other likes."""
    if _is_gone(comment_key(comment_id)) or _is_gone(post_key(post_id)):
        return
    key = comment_like_key(comment_id, user.id)
    if note_action(key=key, sequence=sequence, active=True):
        notify(
            type=NotificationType.COMMENT_LIKE,
            recipient_id=comment_author_id,
            actor=user,
            action_key=key,
            group_key=f"comment_like:{comment_id}",
            occurred_at=occurred_at,
            post_id=post_id,
            comment_id=comment_id,
        )


@transaction.atomic
def apply_comment_unlike(*, sequence: int, comment_id: int, user_id: int) -> None:
    _undo(key=comment_like_key(comment_id, user_id), sequence=sequence)


# --- follows and follow requests -------------------------------------------------------------


@transaction.atomic
def apply_follow(
    *, sequence: int, follower: ActorSummary, followee_id: int, occurred_at: datetime
) -> None:
    """`follower` follows `followee_id`: grouped with the other follows of that UTC day."""
    key = follow_key(follower.id, followee_id)
    if note_action(key=key, sequence=sequence, active=True):
        notify(
            type=NotificationType.FOLLOW,
            recipient_id=followee_id,
            actor=follower,
            action_key=key,
            group_key=f"follow:{occurred_at.astimezone(UTC).date().isoformat()}",
            occurred_at=occurred_at,
        )


@transaction.atomic
def apply_unfollow(*, sequence: int, follower_id: int, followee_id: int) -> None:
    _undo(key=follow_key(follower_id, followee_id), sequence=sequence)


@transaction.atomic
def apply_follow_request(
    *, sequence: int, requester: ActorSummary, target_id: int, occurred_at: datetime
) -> None:
    """`requester` asks to follow the private account `target_id`."""
    key = follow_request_key(requester.id, target_id)
    if note_action(key=key, sequence=sequence, active=True):
        notify(
            type=NotificationType.FOLLOW_REQUEST,
            recipient_id=target_id,
            actor=requester,
            action_key=key,
            group_key=key,
            occurred_at=occurred_at,
        )


@transaction.atomic
def apply_follow_request_withdrawn(*, sequence: int, requester_id: int, target_id: int) -> None:
    """Withdrawn or rejected: the request's notification goes."""
    _undo(key=follow_request_key(requester_id, target_id), sequence=sequence)


@transaction.atomic
def apply_follow_request_accepted(
    *, sequence: int, requester_id: int, target: ActorSummary, occurred_at: datetime
) -> None:
    """`target` accepted: the request's notification goes, and the requester hears of it."""
    _undo(key=follow_request_key(requester_id, target.id), sequence=sequence)
    key = follow_accepted_key(requester_id, target.id)
    if note_action(key=key, sequence=sequence, active=True):
        notify(
            type=NotificationType.FOLLOW_ACCEPTED,
            recipient_id=requester_id,
            actor=target,
            action_key=key,
            group_key=key,
            occurred_at=occurred_at,
        )


# --- blocks and mutes ------------------------------------------------------------------------


def _between(a: int, b: int) -> Q:
    return Q(recipient_id=a, actor_id=b) | Q(recipient_id=b, actor_id=a)


@transaction.atomic
def apply_block(*, sequence: int, blocker_id: int, blocked_id: int) -> None:
    """A block deletes what either sent the other, and stops new notifications both ways."""
    if note_action(key=block_key(blocker_id, blocked_id), sequence=sequence, active=True):
        Notification.objects.filter(_between(blocker_id, blocked_id)).delete()


@transaction.atomic
def apply_unblock(*, sequence: int, blocker_id: int, blocked_id: int) -> None:
    note_action(key=block_key(blocker_id, blocked_id), sequence=sequence, active=False)


@transaction.atomic
def apply_mute(*, sequence: int, muter_id: int, muted_id: int) -> None:
    """From now on the muted account's actions do not notify the muter."""
    note_action(key=mute_key(muter_id, muted_id), sequence=sequence, active=True)


@transaction.atomic
def apply_unmute(*, sequence: int, muter_id: int, muted_id: int) -> None:
    note_action(key=mute_key(muter_id, muted_id), sequence=sequence, active=False)


# --- accounts --------------------------------------------------------------------------------


@transaction.atomic
def apply_account_deleted(*, sequence: int, user_id: int) -> None:
    """A deleted account's notifications, sent and received, disappear, with its settings."""
    mark_account_deleted(sequence=sequence, user_id=user_id)
    Notification.objects.filter(Q(recipient_id=user_id) | Q(actor_id=user_id)).delete()
    NotificationSettings.objects.filter(user_id=user_id).delete()


# --- the reader's own writes -----------------------------------------------------------------


def mark_read(*, user_id: int, up_to_id: int | None = None) -> int:
    """Mark the user's notifications read (only those with `id <= up_to_id` when given)."""
    unread = Notification.objects.filter(recipient_id=user_id, read=False)
    if up_to_id is not None:
        unread = unread.filter(id__lte=up_to_id)
    return unread.update(read=True)


def clear_notifications(*, user_id: int) -> int:
    """Delete every notification of the user (Mastodon's `POST /notifications/clear`)."""
    deleted, _ = Notification.objects.filter(recipient_id=user_id).delete()
    return deleted


@transaction.atomic
def update_settings(*, user_id: int, changes: Mapping[str, bool]) -> NotificationSettings:
    """Change some of the user's per-type settings; the others keep their values."""
    chosen, _ = NotificationSettings.objects.select_for_update().get_or_create(user_id=user_id)
    for name, value in changes.items():
        setattr(chosen, name, value)
    if changes:
        chosen.save(update_fields=list(changes))
    return chosen


# --- upkeep ----------------------------------------------------------------------------------


def prune_undone_actions(*, days: int, batch_size: int = 10_000) -> int:
    """Delete the states of actions undone more than `days` ago, in bounded batches.

    An undone state only guards against an older event of the same action arriving late (a
    redelivery, a retry); past the consumer's own memory of applied events
    (EVENTS_APPLIED_RETENTION_DAYS) none can. States of actions in force are kept: blocks and
    mutes are read by every `notify`.
    """
    cutoff = timezone.now() - timedelta(days=days)
    removed = 0
    while True:
        with transaction.atomic():
            keys = list(
                ActionState.objects.filter(active=False, updated_at__lt=cutoff).values_list(
                    "key", flat=True
                )[:batch_size]
            )
            if not keys:
                return removed
            removed += ActionState.objects.filter(key__in=keys, active=False).delete()[0]
