"""Every read of discovery: tag pages, explore, trending tags, suggested accounts, and the
prefix search of accounts and tags.

Each list applies the visibility policy (`relationships.visibility`) inside its one query,
and costs the same whatever the page's size; docs/discovery.md has the formulas and bounds.
"""

from datetime import timedelta
from typing import TypedDict

from django.conf import settings
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from psycopg2 import sql

from authors.models import Author
from discovery.models import TrendingTag
from posts.models import EXPLORE_SCORE_SQL, Post, PostTag, Tag
from posts.selectors import POSITION_TYPES, PostRow, post_rows, post_rows_statement
from posts.text import tag_name
from relationships.models import Follow
from relationships.visibility import VIEWER, profile_shown_q, sql_hidden_user_ids, sql_visible
from shared import prepared
from shared.pagination import Cursor, Keyset

_POSTS = sql.Identifier(Post._meta.db_table)
_FOLLOWS = sql.Identifier(Follow._meta.db_table)


class TagSummary(TypedDict):
    name: str
    post_count: int


class Suggestion(TypedDict):
    id: int
    mutual_count: int


# --- Tag pages ------------------------------------------------------------------------------


def tag_summary(name: str) -> TagSummary:
    """The tag (a name as `posts.text.tag_name` normalises it) and how many posts carry it (0
    for a tag never used): its stored counter."""
    count = Tag.objects.filter(name=name).values_list("post_count", flat=True).first()
    return {"name": name, "post_count": count or 0}


@prepared.statement
def _tag_page_statement(keyset: Keyset, limit: int) -> sql.Composed:
    # A range of post_tags_tag_recent from the cursor (the post's created_at is copied into
    # the tag row); each post's author through a primary-key probe, for the policy.
    key = (sql.SQL("tagged.created_at"), sql.SQL("tagged.post_id"))
    ids = sql.SQL(
        """
        SELECT tagged.post_id AS id
        FROM {post_tags} AS tagged
        JOIN {posts} AS post ON post.id = tagged.post_id
        WHERE tagged.tag_id = (SELECT id FROM {tags} WHERE name = %(tag)s)
          AND {past} AND {visible}
        ORDER BY {order}
        LIMIT {limit}
        """
    ).format(
        post_tags=sql.Identifier(PostTag._meta.db_table),
        posts=_POSTS,
        tags=sql.Identifier(Tag._meta.db_table),
        past=keyset.sql_past(*key),
        visible=sql_visible(sql.SQL("post.author_id")),
        order=keyset.sql_order(*key),
        limit=sql.Literal(limit),
    )
    return post_rows_statement(ids, keyset=keyset, limit=limit)


def tag_post_rows(
    name: str, *, viewer_id: int | None, cursor: Cursor | None, limit: int
) -> list[PostRow]:
    """Up to `limit` posts with the tag that the viewer may see, newest first on (created_at,
    id), just past `cursor` (a `reverse` cursor walks back, oldest first)."""
    keyset = Keyset.of(cursor)
    return post_rows(
        _tag_page_statement(keyset, int(limit)),
        {"tag": name, **keyset.sql_params(cursor, POSITION_TYPES)},
        viewer_id=viewer_id,
    )


# --- Explore --------------------------------------------------------------------------------

# The types of an explore cursor's (score, id).
EXPLORE_POSITION_TYPES = (float, int)


@prepared.statement
def _explore_statement(keyset: Keyset, limit: int) -> sql.Composed:
    # A range of posts_explore_rank from the cursor, down to the page's size of posts that
    # pass: inside the window, by a public account, by nobody the viewer is in a block with or
    # mutes (one array per statement), not by the viewer nor anyone they follow (a probe of
    # follows_unique_pair). Without a viewer (NULL) only the first two apply.
    score = sql.SQL(EXPLORE_SCORE_SQL.format(post="post."))
    key = (score, sql.SQL("post.id"))
    ids = sql.SQL(
        """
        SELECT post.id, {score} AS score
        FROM {posts} AS post
        WHERE {past}
          AND post.created_at > %(since)s
          AND NOT EXISTS (SELECT 1 FROM {authors} AS author
                          WHERE author.id = post.author_id AND author.is_private)
          AND post.author_id <> ALL({hidden})
          AND post.author_id IS DISTINCT FROM {viewer}
          AND NOT EXISTS (SELECT 1 FROM {follows}
                          WHERE follower_id = {viewer} AND followee_id = post.author_id)
        ORDER BY {order}
        LIMIT {limit}
        """
    ).format(
        score=score,
        posts=_POSTS,
        past=keyset.sql_past(*key),
        authors=sql.Identifier(Author._meta.db_table),
        hidden=sql_hidden_user_ids(muted=True),
        viewer=VIEWER,
        follows=_FOLLOWS,
        order=keyset.sql_order(*key),
        limit=sql.Literal(limit),
    )
    return post_rows_statement(ids, keyset=keyset, limit=limit, key=("score", "id"))


def explore_rows(*, viewer_id: int | None, cursor: Cursor | None, limit: int) -> list[PostRow]:
    """Up to `limit` posts of explore for the viewer, best first on (score, id), just past
    `cursor`; each row's `position` is its cursor."""
    keyset = Keyset.of(cursor, ("score", "id"))
    params = {
        "since": timezone.now() - timedelta(days=settings.EXPLORE_DAYS),
        **keyset.sql_params(cursor, EXPLORE_POSITION_TYPES),
    }
    return post_rows(_explore_statement(keyset, int(limit)), params, viewer_id=viewer_id)


def trending_tags() -> list[TagSummary]:
    """The most used hashtags of the window as the last refresh counted them, most used first."""
    return list(TrendingTag.objects.order_by("rank").values("name", "post_count"))


# --- Suggested accounts ---------------------------------------------------------------------


@prepared.statement
def _suggestions_statement(keyset: Keyset, limit: int) -> sql.Composed:
    # Friends of friends, over a bounded sample of the graph: the viewer's newest
    # SUGGESTION_FOLLOWEES follows, and of each of those the newest SUGGESTION_FANOUT
    # (follows_follower_recent, a short index range each). At most their product of rows is
    # counted, however many the viewer or their followees follow.
    key = (sql.SQL("candidate.mutual_count"), sql.SQL("candidate.id"))
    return sql.SQL(
        """
        WITH mine AS (
            SELECT followee_id FROM {follows} WHERE follower_id = {viewer}
            ORDER BY created_at DESC, id DESC
            LIMIT {followees}
        ), candidate AS (
            SELECT theirs.followee_id AS id, count(*) AS mutual_count
            FROM mine
            CROSS JOIN LATERAL (
                SELECT followee_id FROM {follows} WHERE follower_id = mine.followee_id
                ORDER BY created_at DESC, id DESC
                LIMIT {fanout}
            ) AS theirs
            WHERE theirs.followee_id <> {viewer}
              AND theirs.followee_id <> ALL({hidden})
              AND NOT EXISTS (SELECT 1 FROM {follows}
                              WHERE follower_id = {viewer} AND followee_id = theirs.followee_id)
            GROUP BY theirs.followee_id
        )
        SELECT candidate.id, candidate.mutual_count
        FROM candidate
        WHERE {past}
        ORDER BY {order}
        LIMIT {limit}
        """
    ).format(
        follows=_FOLLOWS,
        viewer=VIEWER,
        followees=sql.Literal(settings.SUGGESTION_FOLLOWEES),
        fanout=sql.Literal(settings.SUGGESTION_FANOUT),
        hidden=sql_hidden_user_ids(muted=True),
        past=keyset.sql_past(*key),
        order=keyset.sql_order(*key),
        limit=sql.Literal(limit),
    )


def suggested_accounts(*, viewer_id: int, cursor: Cursor | None, limit: int) -> list[Suggestion]:
    """Up to `limit` accounts the viewer does not follow, most followed by the accounts the
    viewer follows first (ties: the newest account first), just past `cursor`. Nobody the
    viewer is in a block with or mutes; one query."""
    keyset = Keyset.of(cursor, ("mutual_count", "id"))
    with connection.cursor() as cursor_:
        prepared.execute(
            cursor_,
            _suggestions_statement(keyset, int(limit)),
            {"viewer": viewer_id, **keyset.sql_params(cursor, (int, int))},
        )
        return [{"id": user_id, "mutual_count": n} for user_id, n in cursor_.fetchall()]


# --- Prefix search of accounts and tags -----------------------------------------------------
#
# For the Mastodon API's GET /api/v2/search, whose Accounts the feed renders (they carry the
# feed's counters): the users service's `GET /users?search=` rule (username or name starts
# with Q, any letter case, nobody who blocks the viewer) on the feed's replica of the
# profiles. Clients look an account up by searching its exact `acct` and picking the match
# (toot's `follow`, `whois`), so the exact username comes first whatever the page size.

# The longest username or name the replica stores (`authors.Author`).
ACCOUNT_QUERY_MAX_LENGTH = 150


def _exact_first(field: str, value: str) -> Case:
    return Case(
        When(**{field: value}, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def search_account_ids(
    query: str, *, viewer_id: int | None, following: bool = False, limit: int, offset: int = 0
) -> list[int]:
    """The ids of up to `limit` accounts past the first `offset` whose username or display
    name starts with `query` (any case): the exact username first, then the newest account.
    Without deleted accounts and those that block the viewer; with `following`, only
    accounts the viewer follows. One query (none for a blank or overlong query)."""
    query = query.strip().lower()
    if not query or len(query) > ACCOUNT_QUERY_MAX_LENGTH:
        return []
    authors = (
        Author.objects.filter(deleted_at__isnull=True, missing_since__isnull=True)
        .exclude(username="")
        .alias(name_lower=Lower("name"))
        .filter(Q(username__startswith=query) | Q(name_lower__startswith=query))
        .filter(profile_shown_q(viewer_id, "id"))
    )
    if following:
        authors = authors.filter(
            Exists(Follow.objects.filter(follower_id=viewer_id, followee_id=OuterRef("id")))
        )
    ranked = authors.alias(exact=_exact_first("username", query)).order_by("exact", "-id")
    return list(ranked.values_list("id", flat=True)[offset : offset + limit])


def search_tags(query: str, *, limit: int, offset: int = 0) -> list[TagSummary]:
    """Up to `limit` tags past the first `offset` whose name starts with `query` (`#` or not,
    normalised as `posts.text.tag_name` does) and that some post carries: the exact name
    first, then the most used. One query (none for a query that cannot be a tag)."""
    name = tag_name(query.strip().lstrip("#"))
    if name is None:
        return []
    tags = (
        Tag.objects.filter(name__startswith=name, post_count__gt=0)
        .alias(exact=_exact_first("name", name))
        .order_by("exact", "-post_count", "name")
        .values("name", "post_count")
    )
    return list(tags[offset : offset + limit])
