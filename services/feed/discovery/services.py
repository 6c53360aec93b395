"""Discovery's only write: refreshing the trending hashtags."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg2 import sql

from authors.models import Author
from discovery.models import TRENDING_TAGS, TrendingTag
from posts.models import Post, PostTag, Tag


def refresh_trending_tags() -> int:
    """Count the hashtags of the posts of public accounts posted in the last EXPLORE_DAYS and
    keep the TRENDING_TAGS most used (ties by name); return how many were kept.

    One aggregate over the window's post tags (a scan of post_tags, which no request waits
    for: GET /explore/tags reads the kept rows), replacing the rows in one transaction, so a
    reader sees the old list or the new one.
    """
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
    with transaction.atomic(), connection.cursor() as cursor:
        # Two refreshes at once (two schedulers) take turns; readers never wait.
        cursor.execute(
            sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
                sql.Identifier(TrendingTag._meta.db_table)
            )
        )
        TrendingTag.objects.all().delete()
        cursor.execute(statement, params)
        return cursor.rowcount
