"""Discovery's only write: recounting the trending hashtags.

A periodic job recounts them (`manage.py refresh_trending_tags`, every
TRENDING_TAGS_REFRESH_SECONDS); a read recounts them itself only when the last count is older
than TRENDING_TAGS_MAX_AGE_SECONDS (the job is late, or, in development, always), and then
only one read at a time: the others list the tags as they were.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg2 import sql

from authors.models import Author
from discovery.models import TRENDING_TAGS, TrendingCount, TrendingTag
from posts.models import Post, PostTag, Tag

# The key of the advisory lock the recounts take turns on ("trending" as an integer).
_RECOUNT_LOCK = int.from_bytes(b"trending", "big", signed=True)


def refresh_trending_tags_if_stale(*, max_age_seconds: int) -> None:
    """Recount the trending tags when the last count is older than `max_age_seconds`, unless
    another recount is running (its result is as fresh)."""
    last = TrendingCount.objects.filter(pk=1).values_list("counted_at", flat=True).first()
    if last is not None and timezone.now() - last < timedelta(seconds=max_age_seconds):
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_RECOUNT_LOCK])
        if cursor.fetchone()[0]:
            _recount(cursor)


def refresh_trending_tags() -> int:
    """Count the hashtags of the posts of public accounts posted in the last EXPLORE_DAYS and
    keep the TRENDING_TAGS most used (ties by name); return how many were kept.

    One aggregate over the window's post tags (a scan of post_tags, which a request waits for
    only when the count is stale: GET /explore/tags reads the kept rows), replacing the rows in
    one transaction, so a reader sees the old list or the new one.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # Two recounts at once (two schedulers, a read) take turns; readers never wait.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RECOUNT_LOCK])
        return _recount(cursor)


def _recount(cursor: Any) -> int:
    """The recount itself; call holding _RECOUNT_LOCK, inside the transaction it replaces the
    rows in."""
    now = timezone.now()
    statement = sql.SQL(
        """
        INSERT INTO {trending} (rank, name, post_count, counted_at)
        SELECT row_number() OVER (ORDER BY counted.n DESC, counted.name), counted.name,
               counted.n, %(now)s
        FROM (
            SELECT tag.name, count(*) AS n
            FROM {post_tags} AS tagged
            JOIN {tags} AS tag ON tag.id = tagged.tag_id
            JOIN {posts} AS post ON post.id = tagged.post_id
            WHERE tagged.created_at > %(since)s
              AND NOT EXISTS (SELECT 1 FROM {authors} AS author
                              WHERE author.id = post.author_id AND author.is_private)
            GROUP BY tag.name
            ORDER BY n DESC, tag.name
            LIMIT %(limit)s
        ) AS counted
        """
    ).format(
        trending=sql.Identifier(TrendingTag._meta.db_table),
        post_tags=sql.Identifier(PostTag._meta.db_table),
        tags=sql.Identifier(Tag._meta.db_table),
        posts=sql.Identifier(Post._meta.db_table),
        authors=sql.Identifier(Author._meta.db_table),
    )
    params = {
        "now": now,
        "since": now - timedelta(days=settings.EXPLORE_DAYS),
        "limit": TRENDING_TAGS,
    }
    TrendingTag.objects.all().delete()
    cursor.execute(statement, params)
    kept = cursor.rowcount
    TrendingCount.objects.update_or_create(pk=1, defaults={"counted_at": now})
    return kept
