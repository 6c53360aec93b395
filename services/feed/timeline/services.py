"""Every write to the timeline inboxes (`timeline.models.InboxEntry`) and their coverage.

The inboxes must hold every post that belongs on each timeline from `InboxCoverage.
complete_since` on, and nothing that does not: a page read from an inbox is trusted as it is.
Posts and follows keep them so, each in its own transaction, under two rules:

- A post and a follow (or unfollow) of its author are serialised on the author's `UserStats`
  row, which both update. So each function here that reads follows or posts to decide what to
  copy first takes that row's lock (`social.services.lock_user_stats`; the transaction that
  just updated the counters holds it already): it then sees whatever the other transaction
  committed (READ COMMITTED takes a new snapshot per statement). A follow committed first is
  seen by the post's fan-out; a post committed first, by the follow's backfill. The fill takes
  the same row lock, author by author.
- The coverage only moves as far as the inboxes are complete: a fill sets it to the start of
  what it copied, and the trimmer moves it forward (committed) before deleting anything older.
  A page is trusted only inside it, so `TIMELINE_INBOX_DAYS` (how much is kept, how much a fill
  copies) can change, and the trimmer run with another value, without a page going wrong.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from posts.models import Post
from relationships.models import Follow
from social.services import lock_user_stats
from timeline.models import InboxCoverage, InboxEntry

_INBOX = InboxEntry._meta.db_table
_COVERAGE = InboxCoverage._meta.db_table
_POSTS = Post._meta.db_table
_FOLLOWS = Follow._meta.db_table

# Entries are kept this long past the window: a trim never reaches a page a reader is on.
TRIM_MARGIN = timedelta(days=1)

# The start of the range every inbox is complete in; NULL (no row, or not filled) compares
# false, so no page is trusted then.
COMPLETE_SINCE_SQL = f"(SELECT complete_since FROM {_COVERAGE} WHERE id = 1)"  # noqa: S608


def inbox_window() -> timedelta:
    """How much of every timeline the inboxes keep (`TIMELINE_INBOX_DAYS`); empty: reads off.

    Off, every page is merged; posts, follows and the trimmer still keep the inboxes, so they
    can be turned on again.
    """
    return timedelta(days=settings.TIMELINE_INBOX_DAYS)


def _execute(sql: str, params: list | dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _lift_statement_timeout() -> None:
    """For the rest of this transaction: a bulk step's statements may outlast the services'
    statement timeout (a fill of a most followed author, a first trim after a long pause)."""
    _execute("SET LOCAL statement_timeout = 0", [])


def fan_out_post(*, post: Post) -> int:
    """Copy a new post into its author's inbox and each follower's; return the entries written.

    Call in the post's transaction; takes the author's counters row lock first (module comment).
    """
    lock_user_stats([post.author_id])
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

    Call in the deleting transaction; takes the author's counters row lock first (module
    comment). Only the author and their current followers can hold it: an unfollow removed it
    from the others.
    """
    lock_user_stats([post.author_id])
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
    """Copy the followee's posts of the covered range into the follower's inbox (a new follow).

    Call in the follow's transaction; takes the followee's counters row lock first (module
    comment).
    """
    lock_user_stats([followee_id])
    return _execute(
        f"""
        INSERT INTO {_INBOX} (owner_id, created_at, post_id)
        SELECT %(follower)s, post.created_at, post.id
        FROM {_POSTS} AS post
        WHERE post.author_id = %(followee)s AND post.created_at >= {COMPLETE_SINCE_SQL}
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"follower": follower_id, "followee": followee_id},
    )


def remove_followee(*, follower_id: int, followee_id: int) -> int:
    """Take the followee's posts out of the follower's inbox (an unfollow); return how many.

    Call in the unfollow's transaction; takes the followee's counters row lock first (module
    comment). Every post of the followee is looked for, not only the window's: entries older
    than the window stay until they are trimmed.
    """
    lock_user_stats([followee_id])
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


_FILL_SQL = f"""
    INSERT INTO {_INBOX} (owner_id, created_at, post_id)
    SELECT owners.owner_id, post.created_at, post.id
    FROM {_POSTS} AS post
    CROSS JOIN LATERAL (
        SELECT post.author_id AS owner_id
        UNION ALL
        SELECT follower_id FROM {_FOLLOWS} WHERE followee_id = post.author_id
    ) AS owners
    WHERE post.created_at >= %(since)s {{authors}}
    ORDER BY owners.owner_id, post.created_at, post.id
    ON CONFLICT DO NOTHING
"""  # noqa: S608 - table names come from the models; every value is a parameter


def _window_start() -> datetime:
    """The database's clock, minus the window."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp() - %s::interval", [inbox_window()])
        return cursor.fetchone()[0]


def _set_coverage(since: datetime | None) -> None:
    InboxCoverage.objects.update_or_create(id=1, defaults={"complete_since": since})


def fill_inboxes() -> int:
    """Copy every post of the window into every inbox it belongs in, on a live database, and
    mark the inboxes complete from the window's start; return the entries added.

    After deploying the inboxes onto existing data, and after raising `TIMELINE_INBOX_DAYS`.
    Author by author, each in a short transaction that first locks the author's `UserStats` row
    (the module's rule), so that a post, follow or unfollow of that author at the same time is
    either seen by the copy or sees it. Idempotent: entries already there are kept.
    """
    since = _window_start()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT author_id FROM {_POSTS} WHERE created_at >= %s",  # noqa: S608
            [since],
        )
        authors = [author for (author,) in cursor.fetchall()]
    added = 0
    for author in authors:
        with transaction.atomic():
            _lift_statement_timeout()
            lock_user_stats([author])
            added += _execute(
                _FILL_SQL.format(authors="AND post.author_id = %(author)s"),
                {"since": since, "author": author},
            )
    _set_coverage(since)
    return added


def fill_inboxes_in_bulk() -> int:
    """`fill_inboxes` in one statement, for a database nothing else writes to (the benchmark's
    seed): several times faster at millions of entries, but not safe beside live writes."""
    since = _window_start()
    with transaction.atomic():
        _lift_statement_timeout()
        added = _execute(_FILL_SQL.format(authors=""), {"since": since})
        _set_coverage(since)
    return added


def trim_inboxes(*, batch: int = 1000) -> int:
    """Delete the entries that left the window more than `TRIM_MARGIN` ago; return how many.

    First the coverage moves forward to the cut (committed), so no page trusts what goes next.
    Then owner by owner, in batches of `batch` owners, each entry found through the primary key
    (owner_id, created_at, ...): only old entries are read, and no transaction is long.
    """
    cut = _window_start() - TRIM_MARGIN
    InboxCoverage.objects.filter(id=1, complete_since__lt=cut).update(complete_since=cut)
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
        with transaction.atomic():
            _lift_statement_timeout()
            removed += _execute(
                f"DELETE FROM {_INBOX} WHERE owner_id = ANY(%s) AND created_at < %s",  # noqa: S608
                [owners, cut],
            )
        after = owners[-1]
