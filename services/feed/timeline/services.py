"""Every write to the timeline inboxes (`timeline.models.InboxEntry`) and their coverage.

The inboxes must hold every post that belongs on each timeline from `InboxCoverage.
complete_since` on, and nothing that does not, except for two kinds of post a page merges from
elsewhere (`timeline.selectors`): those of a `MergedAuthor` (too many followers to fan out) and
those whose fan-out is still under way (`fanout_pending` on the author's own entry). Posts and
follows keep them so, each in its own transaction, under these rules:

- Hybrid fan-out. A post's transaction writes the post, its author's own entry (marked
  pending) and a `feed.fanout.post` event. The feed's own consumer then copies the post into
  the followers' inboxes, `FANOUT_BATCH_SIZE` followers a transaction, each batch recording
  the event of the next (`fan_out_batch`); the last clears the mark. Its first batch also
  decides whether the author is fanned out at all: past `FANOUT_MAX_FOLLOWERS` followers it
  becomes a `MergedAuthor`, and back under 90% of it the account's recent posts are copied to
  its followers (`refill_batch`) before it stops being merged. Both ways the post is on every
  follower's page the moment it commits, and stays there.
- A batch and a follow of its author are serialised on the author's fan-out lock
  (`_fanout_lock`, a transaction-level advisory lock): a follow holds it shared while it
  copies the followee's posts (`backfill_followee`; follows do not wait for each other), and
  a batch takes it exclusively first, so it waits for a follow in flight and then sees it
  (READ COMMITTED takes a new snapshot per statement); a follow that starts later sees the
  post, committed before its fan-out began. A batch takes its followers' follow rows and the
  post's row FOR KEY SHARE: an unfollow (or a deletion of the post) waits for the batch and then
  removes what it wrote, or the batch waits for it and writes nothing. A batch takes no
  counters row: an unfollow holds its follow row while it waits for the counters, and a batch
  waiting on the counters while holding that follow row would deadlock with it.
- A fill and a follow or unfollow are serialised on the author's `UserStats` row: each first
  takes that row's lock (the transaction that just updated the counters holds it already).
- The coverage only moves as far as the inboxes are complete: a fill sets it to the start of
  what it copied, and the trimmer moves it forward (committed) before deleting anything older.
  A page is trusted only inside it, so `TIMELINE_INBOX_DAYS` (how much is kept, how much a fill
  copies) can change, and the trimmer run with another value, without a page going wrong.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from posts.models import Post
from relationships.models import Follow
from social.models import UserStats
from social.services import lock_user_stats
from timeline import events
from timeline.models import InboxCoverage, InboxEntry, MergedAuthor

_INBOX = InboxEntry._meta.db_table
_COVERAGE = InboxCoverage._meta.db_table
_POSTS = Post._meta.db_table
_FOLLOWS = Follow._meta.db_table
_STATS = UserStats._meta.db_table
_MERGED = MergedAuthor._meta.db_table

# Entries are kept this long past the window: a trim never reaches a page a reader is on.

# How far the clocks of the processes that stamp a post's created_at and a MergedAuthor's since
# may disagree: a post stamped more than this after its author was merged was fanned out to no
# one (`withdraw_post`).
MERGED_CLOCK_MARGIN = timedelta(minutes=1)
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


def fan_out_post(*, post: Post) -> None:
    """Put a new post into its author's inbox, marked pending, and record its fan-out.

    Call in the post's transaction. The followers' copies are the consumer's (`fan_out_batch`),
    after the commit; until they are done a follower's page merges the post from this entry.
    """
    InboxEntry.objects.create(
        owner_id=post.author_id, created_at=post.created_at, post_id=post.pk, fanout_pending=True
    )
    events.record_fanout_post(post_id=post.pk, cursor=None)


# A follower batch's position: the last follow it took, (created_at, id), in the order of the
# index follows_followee_recent (newest first). None: from the newest.
FollowCursor = tuple[datetime, int] | None


def _follower_batch(*, author_id: int, cursor: FollowCursor, size: int) -> list[tuple]:
    """The next `size` follows of the author past `cursor`, newest first, locked FOR KEY SHARE
    (an unfollow of one of them waits for this transaction); (follower_id, created_at, id)."""
    past = "" if cursor is None else "AND (created_at, id) < (%(created_at)s, %(id)s)"
    with connection.cursor() as cursor_:
        cursor_.execute(
            f"""
            SELECT follower_id, created_at, id FROM {_FOLLOWS}
            WHERE followee_id = %(author)s {past}
            ORDER BY created_at DESC, id DESC
            LIMIT %(size)s
            FOR KEY SHARE
            """,  # noqa: S608 - table names come from the models; every value is a parameter
            {
                "author": author_id,
                "size": size,
                **({} if cursor is None else {"created_at": cursor[0], "id": cursor[1]}),
            },
        )
        return cursor_.fetchall()


def _fanout_lock(author_id: int, *, shared: bool) -> None:
    """Hold the author's fan-out lock until the transaction ends: shared by the follows copying
    the author's posts, exclusive for a batch of the author's fan-out (the module comment).

    A transaction-level advisory lock keyed by a hash of the author (as `relationships.services.
    lock_pair` keys its pairs: a collision only makes two authors' writes wait for each other).
    """
    digest = hashlib.blake2b(f"fanout:{int(author_id)}".encode(), digest_size=8).digest()
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    _execute(f"SELECT {function}(%s)", [int.from_bytes(digest, "big", signed=True)])


def _followers_count(user_id: int) -> int:
    counts = UserStats.objects.filter(pk=user_id).values_list("followers_count", flat=True)
    return counts.first() or 0


def _is_over(followers: int) -> bool:
    return followers > settings.FANOUT_MAX_FOLLOWERS


def _is_back_under(followers: int) -> bool:
    # 90% of the threshold: an account hovering around it is not switched back and forth.
    return followers * 10 < settings.FANOUT_MAX_FOLLOWERS * 9


def _clear_pending(*, author_id: int, created_at: datetime, post_id: int) -> None:
    InboxEntry.objects.filter(
        owner_id=author_id, created_at=created_at, post_id=post_id, fanout_pending=True
    ).update(fanout_pending=False)


def _fans_out(author_id: int) -> bool:
    """Whether the author's posts are fanned out now, switching the author over the threshold
    either way first (the module comment): becoming merged, or starting a refill."""
    merged = MergedAuthor.objects.filter(pk=author_id).first()
    followers = _followers_count(author_id)
    if merged is None:
        if not _is_over(followers):
            return True
        MergedAuthor.objects.bulk_create([MergedAuthor(author_id=author_id)], ignore_conflicts=True)
        return False
    if merged.refilling:
        return True
    if _is_back_under(followers):
        # Waits for follows of the author deciding at this moment (they read the row FOR
        # SHARE), so the refill's batches see every follower that did not copy the posts.
        MergedAuthor.objects.filter(pk=author_id, refilling=False).update(refilling=True)
        events.record_fanout_refill(author_id=author_id, cursor=None)
    return False


def fan_out_batch(*, post_id: int, cursor: FollowCursor) -> int:
    """Copy the post into the inboxes of its author's next `FANOUT_BATCH_SIZE` followers past
    `cursor`, and record the next batch or clear the post's pending mark; return the entries
    written.

    Call in the consumer's transaction of the `feed.fanout.post` event; idempotent (entries
    are inserted ON CONFLICT DO NOTHING, and the event id is applied once). A post deleted
    meanwhile is left alone: its deletion took what earlier batches wrote.
    """
    with connection.cursor() as cursor_:
        cursor_.execute(
            f"SELECT author_id, created_at FROM {_POSTS} WHERE id = %s FOR KEY SHARE",  # noqa: S608
            [post_id],
        )
        row = cursor_.fetchone()
    if row is None:
        return 0
    author_id, created_at = row
    if cursor is None and not _fans_out(author_id):
        _clear_pending(author_id=author_id, created_at=created_at, post_id=post_id)
        return 0
    _fanout_lock(author_id, shared=False)
    size = max(1, settings.FANOUT_BATCH_SIZE)
    batch = _follower_batch(author_id=author_id, cursor=cursor, size=size)
    written = _execute(
        f"""
        INSERT INTO {_INBOX} (owner_id, created_at, post_id)
        SELECT owner_id, %(created_at)s, %(post)s FROM unnest(%(owners)s::bigint[]) AS owner_id
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {
            "owners": [follower for follower, _, _ in batch],
            "created_at": created_at,
            "post": post_id,
        },
    )
    if len(batch) == size:
        _, last_created_at, last_id = batch[-1]
        events.record_fanout_post(post_id=post_id, cursor=(last_created_at, last_id))
    else:
        _clear_pending(author_id=author_id, created_at=created_at, post_id=post_id)
    return written


def refill_batch(*, author_id: int, cursor: FollowCursor) -> int:
    """Copy a formerly merged author's posts of the covered range into their next followers'
    inboxes past `cursor`, and record the next batch or, after the last, stop merging the
    author; return the entries written.

    Call in the consumer's transaction of the `feed.fanout.refill` event; idempotent. A batch
    holds about `FANOUT_BATCH_SIZE` entries: fewer followers the more posts the author has.
    """
    if not MergedAuthor.objects.filter(pk=author_id, refilling=True).exists():
        return 0
    _fanout_lock(author_id, shared=False)
    with connection.cursor() as cursor_:
        cursor_.execute(
            f"SELECT count(*) FROM {_POSTS} WHERE author_id = %s "  # noqa: S608
            f"AND created_at >= {COMPLETE_SINCE_SQL}",
            [author_id],
        )
        (posts,) = cursor_.fetchone()
    size = max(1, settings.FANOUT_BATCH_SIZE // max(1, posts))
    batch = _follower_batch(author_id=author_id, cursor=cursor, size=size)
    written = _execute(
        f"""
        INSERT INTO {_INBOX} (owner_id, created_at, post_id)
        SELECT owner_id, post.created_at, post.id
        FROM unnest(%(owners)s::bigint[]) AS owner_id
        CROSS JOIN {_POSTS} AS post
        WHERE post.author_id = %(author)s AND post.created_at >= {COMPLETE_SINCE_SQL}
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"owners": [follower for follower, _, _ in batch], "author": author_id},
    )
    if len(batch) == size:
        _, last_created_at, last_id = batch[-1]
        events.record_fanout_refill(author_id=author_id, cursor=(last_created_at, last_id))
    else:
        MergedAuthor.objects.filter(pk=author_id, refilling=True).delete()
    return written


def classify_authors() -> int:
    """Make every account over `FANOUT_MAX_FOLLOWERS` a `MergedAuthor`; return how many were
    added. For data loaded in bulk (the benchmark's seed), before the inboxes are filled: a
    running service classifies an author at their next post."""
    with transaction.atomic():
        return _execute(
            f"""
            INSERT INTO {_MERGED} (author_id, since, refilling)
            SELECT user_id, now(), false FROM {_STATS} WHERE followers_count > %s
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - table names come from the models; every value is a parameter
            [settings.FANOUT_MAX_FOLLOWERS],
        )


def withdraw_post(*, post: Post) -> int:
    """Remove a deleted post from every inbox that holds it; return the entries removed.

    Call in the deleting transaction; takes the author's counters row lock first (module
    comment). Only the author and their current followers can hold it: an unfollow removed it
    from the others. A post by a merged author, posted well after it was merged, was given to
    no follower: only the author's entry is looked for, not one per follower (100,000 probes,
    under the counters row lock every follow of the account needs).
    """
    lock_user_stats([post.author_id])
    merged_since = (
        MergedAuthor.objects.filter(pk=post.author_id, refilling=False)
        .values_list("since", flat=True)
        .first()
    )
    followers = f"UNION ALL SELECT follower_id FROM {_FOLLOWS} WHERE followee_id = %(author)s"  # noqa: S608
    if merged_since is not None and post.created_at > merged_since + MERGED_CLOCK_MARGIN:
        followers = ""
    return _execute(
        f"""
        DELETE FROM {_INBOX}
        WHERE owner_id IN (SELECT %(author)s::bigint {followers})
          AND created_at = %(created_at)s AND post_id = %(post)s
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"author": post.author_id, "created_at": post.created_at, "post": post.pk},
    )


def backfill_followee(*, follower_id: int, followee_id: int) -> int:
    """Copy the followee's posts of the covered range into the follower's inbox (a new follow).

    Call in the follow's transaction, after the counters; takes the followee's counters row
    lock and its fan-out lock, shared, first (module comment). Nothing to copy when the followee
    is merged: the row is read FOR SHARE, so a switch to refilling waits for this follow and
    its refill then sees it.
    """
    lock_user_stats([followee_id])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT refilling FROM {_MERGED} WHERE author_id = %s FOR SHARE",  # noqa: S608
            [followee_id],
        )
        merged = cursor.fetchone()
    if merged is not None and not merged[0]:
        return 0
    _fanout_lock(followee_id, shared=True)
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
    comment). The followee's posts are looked for as far back as the follower's inbox goes (its
    oldest entry, one probe of the primary key), not through every post they ever wrote: a
    followee with years of posts costs what the window holds.
    """
    lock_user_stats([followee_id])
    return _execute(
        f"""
        DELETE FROM {_INBOX}
        WHERE owner_id = %(follower)s
          AND (created_at, post_id) IN (
                SELECT post.created_at, post.id FROM {_POSTS} AS post
                WHERE post.author_id = %(followee)s
                  AND post.created_at >= (
                        SELECT min(created_at) FROM {_INBOX} WHERE owner_id = %(follower)s
                    )
            )
        """,  # noqa: S608 - table names come from the models; every value is a parameter
        {"follower": follower_id, "followee": followee_id},
    )


def forget_inbox(*, user_id: int) -> int:
    """Delete the user's own inbox (account deletion), and their `MergedAuthor` row if they
    were one; return the entries removed.

    Their posts' entries in other inboxes go with `withdraw_post`'s rule: the posts are deleted,
    and a page skips entries without a post until the trim removes them.
    """
    MergedAuthor.objects.filter(pk=user_id).delete()
    return _execute(f"DELETE FROM {_INBOX} WHERE owner_id = %s", [user_id])  # noqa: S608


_FILL_SQL = f"""
    INSERT INTO {_INBOX} (owner_id, created_at, post_id)
    SELECT owners.owner_id, post.created_at, post.id
    FROM {_POSTS} AS post
    CROSS JOIN LATERAL (
        SELECT post.author_id AS owner_id
        UNION ALL
        -- A merged author's posts are merged into their followers' pages, not copied.
        SELECT follower_id FROM {_FOLLOWS}
        WHERE followee_id = post.author_id
          AND NOT EXISTS (
                SELECT 1 FROM {_MERGED} AS merged
                WHERE merged.author_id = post.author_id AND NOT merged.refilling
            )
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
