"""Every write to the timeline inboxes (`timeline.models.InboxEntry`).

The inboxes must hold every post of the window that belongs on each timeline, and nothing that
does not: a page read from an inbox is trusted as it is. Posts and follows keep them so, each in
its own transaction, and two rules make that hold under concurrency:

- A post and a follow (or unfollow) of its author are serialised on the author's `UserStats`
  row, which both already update. So each function here that reads follows or posts to decide
  what to copy must run *after* that row's update in its transaction: it then sees whatever
  the other transaction committed (READ COMMITTED takes a new snapshot per statement). A follow
  committed first is seen by the post's fan-out; a post committed first, by the follow's
  backfill.
- The window is measured on the database's clock (`now()`), by the backfill, the trim and the
  read alike, so what a read trusts was never trimmed or left out of a backfill.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from posts.models import Post
from social.models import Follow
from timeline.models import InboxEntry

_INBOX = InboxEntry._meta.db_table
_POSTS = Post._meta.db_table
_FOLLOWS = Follow._meta.db_table

# Entries are trimmed this long after they leave the window: a read that started a moment
# before a trim still finds its whole window.
TRIM_MARGIN = timedelta(days=1)


def inbox_window() -> timedelta:
    """How far back every inbox is complete (`TIMELINE_INBOX_DAYS`); empty: the inboxes are off.

    Off, posts and follows copy nothing into them (removals still run) and every page is merged.
    """
    return timedelta(days=settings.TIMELINE_INBOX_DAYS)


def _execute(sql: str, params: list | dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fan_out_post(*, post: Post) -> int:
    """Copy a new post into its author's inbox and each follower's; return the entries written.

    Call in the post's transaction, after the author's counters were updated (module comment).
    """
    if not inbox_window():
        return 0
    return _execute(
        f"""
        INSERT INTO {_INBOX} (owner_id, created_at, post_id)
        SELECT owners.owner_id, %(created_at)s, %(post)s
        FROM (
            SELECT %(author)s::bigint AS owner_id
            UNION ALL
            SELECT follower_id FROM {_FOLLOWS} WHERE followee_id = %(author)s
        ) AS owners
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"author": post.author_id, "created_at": post.created_at, "post": post.pk},
    )


def withdraw_post(*, post: Post) -> int:
    """Remove a deleted post from every inbox that holds it; return the entries removed.

    Call in the deleting transaction, after the author's counters were updated (module comment).
    Only the author and their current followers can hold it: an unfollow removed it from the
    others.
    """
    return _execute(
        f"""
        DELETE FROM {_INBOX}
        WHERE owner_id IN (
                SELECT %(author)s::bigint
                UNION ALL
                SELECT follower_id FROM {_FOLLOWS} WHERE followee_id = %(author)s
            )
          AND created_at = %(created_at)s AND post_id = %(post)s
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"author": post.author_id, "created_at": post.created_at, "post": post.pk},
    )


def backfill_followee(*, follower_id: int, followee_id: int) -> int:
    """Copy the followee's posts of the window into the follower's inbox (a new follow).

    Call in the follow's transaction, after both users' counters were updated (module comment).
    """
    if not inbox_window():
        return 0
    return _execute(
        f"""
        INSERT INTO {_INBOX} (owner_id, created_at, post_id)
        SELECT %(follower)s, post.created_at, post.id
        FROM {_POSTS} AS post
        WHERE post.author_id = %(followee)s AND post.created_at >= now() - %(window)s::interval
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"follower": follower_id, "followee": followee_id, "window": inbox_window()},
    )


def remove_followee(*, follower_id: int, followee_id: int) -> int:
    """Take the followee's posts out of the follower's inbox (an unfollow); return how many.

    Call in the unfollow's transaction, after both users' counters were updated (module
    comment). Every post of the followee is looked for, not only the window's: entries older
    than the window stay until they are trimmed.
    """
    return _execute(
        f"""
        DELETE FROM {_INBOX}
        WHERE owner_id = %(follower)s
          AND (created_at, post_id) IN (
                SELECT post.created_at, post.id FROM {_POSTS} AS post
                WHERE post.author_id = %(followee)s
            )
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"follower": follower_id, "followee": followee_id},
    )


def forget_inbox(*, user_id: int) -> int:
    """Delete the user's own inbox (account deletion); return the entries removed.

    Their posts' entries in other inboxes go with `withdraw_post`'s rule: the posts are deleted,
    and a page skips entries without a post until the trim removes them.
    """
    return _execute(f"DELETE FROM {_INBOX} WHERE owner_id = %s", [user_id])  # noqa: S608


def fill_inboxes() -> int:
    """Copy every post of the window into every inbox it belongs in; return the entries added.

    For data loaded in bulk (the benchmark's seed) and after raising `TIMELINE_INBOX_DAYS`.
    Idempotent: entries already there are kept. A bulk job: minutes at millions of posts, so
    the services' statement timeout is lifted for it.
    """
    with transaction.atomic():
        _execute("SET LOCAL statement_timeout = 0", [])
        return _execute(
            f"""
            INSERT INTO {_INBOX} (owner_id, created_at, post_id)
            SELECT owners.owner_id, post.created_at, post.id
            FROM {_POSTS} AS post
            CROSS JOIN LATERAL (
                SELECT post.author_id AS owner_id
                UNION ALL
                SELECT follower_id FROM {_FOLLOWS} WHERE followee_id = post.author_id
            ) AS owners
            WHERE post.created_at >= now() - %(window)s::interval
            ORDER BY owners.owner_id, post.created_at, post.id
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - table names come from the models; every value is a parameter
            {"window": inbox_window()},
        )


def trim_inboxes(*, batch: int = 1000) -> int:
    """Delete the entries that left the window more than `TRIM_MARGIN` ago; return how many.

    Owner by owner, in batches of `batch` owners, each entry found through the primary key
    (owner_id, created_at, ...): only old entries are read, and no transaction is long.
    """
    removed, after = 0, 0  # user ids start at 1
    while True:
        with connection.cursor() as cursor:
            # The next owners after `after`, found by descending the index once per owner (a
            # loose index scan) instead of reading every entry.
            cursor.execute(
                f"""
                WITH RECURSIVE owners AS (
                    (SELECT owner_id FROM {_INBOX}
                     WHERE owner_id > %(after)s
                     ORDER BY owner_id LIMIT 1)
                    UNION ALL
                    SELECT (SELECT entry.owner_id FROM {_INBOX} AS entry
                            WHERE entry.owner_id > owners.owner_id
                            ORDER BY entry.owner_id LIMIT 1)
                    FROM owners WHERE owners.owner_id IS NOT NULL
                )
                SELECT owner_id FROM owners WHERE owner_id IS NOT NULL LIMIT %(batch)s
                """,  # noqa: S608 - table names come from the models; values are parameters
                {"after": after, "batch": batch},
            )
            owners = [owner for (owner,) in cursor.fetchall()]
        if not owners:
            return removed
        removed += _execute(
            f"""
            DELETE FROM {_INBOX}
            WHERE owner_id = ANY(%(owners)s) AND created_at < now() - %(keep)s::interval
            """,  # noqa: S608 - table names come from the models; values are parameters
            {"owners": owners, "keep": inbox_window() + TRIM_MARGIN},
        )
        after = owners[-1]
