"""Every write to follows and to the per-user counters.

Counters change with F() in the same transaction as the follow (or post) that changes them. The
rows of `UserStats` are always locked in ascending user id, whichever transaction takes them, so
a follow A->B and a follow B->A at the same moment wait for each other instead of deadlocking.
Whether a follow may be made at all (blocks, a private followee) and what it also changes in the
timeline inboxes is decided by `actions.follows`, in whose transaction these run.
"""

from collections.abc import Iterable, Mapping

from django.db import connection, transaction
from django.db.models import F

from posts.models import Post
from relationships.models import Follow
from shared.db import get_or_create_toggle
from social import events
from social.models import UserStats
from social.selectors import user_stats_counters


def _change_counters(changes: Mapping[int, Mapping[str, int]]) -> None:
    """Add `changes[user_id][field]` to each user's counters. Call inside a transaction.

    A user about to gain gets a zero row first (INSERT ... ON CONFLICT DO NOTHING); a decrement
    only touches an existing row, so removing something never invents a row. Rows are updated in
    ascending user id: the lock order every writer of `UserStats` follows.
    """
    growing = sorted(
        user for user, deltas in changes.items() if any(d > 0 for d in deltas.values())
    )
    if growing:
        UserStats.objects.bulk_create(
            [UserStats(user_id=user_id) for user_id in growing], ignore_conflicts=True
        )
    for user_id in sorted(changes):
        deltas = {field: delta for field, delta in changes[user_id].items() if delta}
        if deltas:
            UserStats.objects.filter(pk=user_id).update(
                **{field: F(field) + delta for field, delta in deltas.items()}
            )


def lock_user_stats(user_ids: Iterable[int]) -> None:
    """Lock these users' counters rows until the transaction ends, in ascending user id.

    The lock an update of the counters takes (FOR NO KEY UPDATE); a transaction that already
    updated them holds it and passes straight through. A user without a row has nothing to lock.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_user_stats must run inside the transaction it serialises.")
    locked = UserStats.objects.select_for_update(no_key=True).filter(pk__in=list(user_ids))
    list(locked.order_by("pk").values_list("pk", flat=True))


def add_follow(*, follower_id: int, followee_id: int) -> bool:
    """Make `follower_id` follow `followee_id`; return whether this call created the follow.

    Call inside the transaction of the whole change (`actions.follows`, which checks the users,
    the pair's blocks and the followee's privacy first). Idempotent under concurrency:
    simultaneous calls all try to insert; the unique (follower, followee) constraint lets one
    through and `get_or_create_toggle` turns the others' IntegrityError into "already there"
    (its insert runs in a savepoint, so this transaction survives), or tries again when an
    unfollow removed the winner first. Only the creator bumps the counters, so they count the
    follow once.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("add_follow must run inside the transaction of the follow.")
    _, created = get_or_create_toggle(
        Follow.objects, follower_id=follower_id, followee_id=followee_id
    )
    if created:
        # The counters last (but for what the caller copies under their lock): a popular
        # account's row is locked by every follow of it, from here to the commit.
        events.record_follow_created(follower_id=follower_id, followee_id=followee_id)
        _change_counters({follower_id: {"following_count": 1}, followee_id: {"followers_count": 1}})
    return created


def remove_follow(*, follower_id: int, followee_id: int) -> bool:
    """Remove the follow if there is one; return whether this call removed it. Call inside the
    transaction of the whole change (idempotent; unknown users are simply not followed)."""
    if not connection.in_atomic_block:
        raise RuntimeError("remove_follow must run inside the transaction of the unfollow.")
    deleted, _ = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).delete()
    # Of concurrent unfollows only the one whose DELETE removed the row decrements; the
    # counters last, as for a follow.
    if deleted:
        events.record_follow_deleted(follower_id=follower_id, followee_id=followee_id)
        _change_counters(
            {follower_id: {"following_count": -1}, followee_id: {"followers_count": -1}}
        )
    return bool(deleted)


def change_posts_count(*, user_id: int, delta: int) -> None:
    """Add `delta` to the user's posts_count. Call inside the transaction that writes the posts."""
    _change_counters({user_id: {"posts_count": delta}})


def forget_user_follows(*, user_id: int) -> None:
    """Remove every follow from and to `user_id` and their counters row (account deletion).

    The counters of everyone on the other side drop by exactly the follows removed: the DELETE's
    RETURNING says which, so a follow committed meanwhile is either removed and counted or left.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                DELETE FROM {Follow._meta.db_table} WHERE follower_id = %s OR followee_id = %s
                RETURNING follower_id, followee_id
                """,  # noqa: S608 - the table name comes from the model, values are parameters
                [user_id, user_id],
            )
            removed = cursor.fetchall()
        # The pair is unique, so each user on the other side loses exactly one.
        lost_a_follower = {followee for follower, followee in removed if follower == user_id}
        lost_a_followee = {follower for follower, followee in removed if followee == user_id}
        touched = lost_a_follower | lost_a_followee | {user_id}
        # Take the row locks in the usual ascending order before the set-wise updates.
        list(
            UserStats.objects.select_for_update()
            .filter(pk__in=touched)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        UserStats.objects.filter(pk__in=lost_a_follower).update(
            followers_count=F("followers_count") - 1
        )
        UserStats.objects.filter(pk__in=lost_a_followee).update(
            following_count=F("following_count") - 1
        )
        UserStats.objects.filter(pk=user_id).delete()


def recount_user_stats() -> int:
    """Recompute every user's counters from the posts and follows tables; return rows written.

    For repairs (`manage.py check_counters --repair`) and for data loaded in bulk (the
    benchmark's seed). Each counter is recounted as `user_stats_counters()` says, the recount the
    drift check compares with. Writes of posts and follows wait while it runs (SHARE locks), so
    the counts it writes are exact.
    """
    stats, posts, follows = UserStats._meta.db_table, Post._meta.db_table, Follow._meta.db_table
    counters = user_stats_counters()
    columns = ", ".join(counter.column for counter in counters)
    # One row per (user, counter): the user's count in that counter's column, 0 in the others.
    rows = " UNION ALL ".join(
        "SELECT key, "  # noqa: S608 - the recounts come from user_stats_counters()
        + ", ".join("n" if other is counter else "0" for other in counters)
        + f" FROM ({counter.recount}) AS counted (key, n)"
        for counter in counters
    )
    sums = ", ".join(f"sum({counter.column})" for counter in counters)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {posts}, {follows} IN SHARE MODE")
        cursor.execute(f"LOCK TABLE {stats} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {stats}")  # noqa: S608 - table names come from the models
        cursor.execute(
            f"INSERT INTO {stats} (user_id, {columns}) SELECT key, {sums} "  # noqa: S608
            f"FROM ({rows}) AS counts (key, {columns}) GROUP BY key"
        )
        return cursor.rowcount
