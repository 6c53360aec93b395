"""Every read of posts, likes and comments, built on one base queryset per aggregate.

Reads of the Post shape (the home timeline, a user's posts, a single post, a post just
written) do not go through the ORM: `post_rows` sends one hand-written statement per page
(`post_rows_statement`, around a query of the page's post ids) and returns plain rows (see the
comment above it for why).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Value
from psycopg2 import sql
from rest_framework.exceptions import NotFound

from authors.client import UserSummary
from authors.models import Author
from posts.models import (
    SEARCH_DOCUMENT_SQL,
    SEARCH_VECTOR_SQL,
    Bookmark,
    Comment,
    CommentLike,
    Like,
    Post,
    PostImage,
    PostTag,
    Tag,
)
from relationships.visibility import (
    explain_empty_list,
    not_blocked_q,
    sql_hidden_user_ids,
    sql_not_blocked,
    sql_visible,
    visible_q,
)
from shared import prepared
from shared.counters import Counter
from shared.pagination import Cursor, Keyset


def shown_like_count(*, post: Post, like_count: int, viewer_id: int | None) -> int | None:
    """`like_count` as the viewer may see it: None when the post hides it from all but its
    author (the rule `post_rows_statement` applies in SQL)."""
    return None if post.hide_like_count and post.author_id != viewer_id else like_count


def get_post_for_write(post_id: int, *, viewer_id: int | None) -> Post:
    """The bare post row (no images, no annotations), for services that change it or what hangs
    off it; `NotFound` when there is none or the writer may not see it
    (`relationships.visibility`: a like, a comment, a non-author's edit all answer 404)."""
    try:
        return Post.objects.filter(visible_q(viewer_id, "author_id")).get(pk=post_id)
    except Post.DoesNotExist:
        raise NotFound("No post with that id.") from None


def ensure_post_visible(post_id: int, *, viewer_id: int | None) -> None:
    """`NotFound` unless the post exists and the viewer may see it: the 404 of the likes and
    comments lists."""
    if not Post.objects.filter(visible_q(viewer_id, "author_id"), pk=post_id).exists():
        raise NotFound("No post with that id.")


# --- The Post shape for the hot reads -------------------------------------------------------
#
# Through the ORM, a timeline page of 20 posts cost four queries and ~14 ms in-process, most of
# it Python: building and compiling querysets, the images' prefetch machinery, a model instance
# per row and DRF's per-field serialization. Here a page is one hand-written statement, sent as
# a prepared statement (`shared.prepared`), returning per post what changes from read to read:
# counters, `liked_by_me` and the author. What a post says (title, body, images) changes only
# with `updated_at`; `posts.api.rendering` keeps it rendered per (id, updated_at) and asks
# `post_contents` only for the posts it has not rendered yet: a second statement, and only then.


def post_rows_statement(
    ids: sql.Composable, *, keyset: Keyset, limit: int, key: Sequence[str] = ()
) -> sql.Composed:
    """The statement `post_rows` runs: the row of each post whose id `ids` selects, in the
    page's order, at most `limit`.

    `ids` is a query returning a column `id` (the page's posts, in any order); it is composed
    by code, never from a client, and its values are named parameters beside `%(viewer)s`.
    The page is ordered on the posts' (created_at, id), or, for a list ordered on something
    else (when a bookmark was made, a rank), on the columns of `ids` that `key` names, which
    each row then carries as its `position` (the page's cursor is drawn from it).
    Per post:
    - `like_count`, NULL when the post hides it (`hide_like_count`) from anyone but its author
      (`shown_like_count` is the same rule for a count read elsewhere);
    - the post itself: one primary-key probe (a post deleted since `ids` was read drops out),
      kept so by the LATERAL's LIMIT, as for the author below;
    - `liked_by_me`: one index-only probe of likes_unique_post_user, true or NULL (that unique
      constraint means at most one row). Anonymous viewers pass a NULL viewer, which matches no
      like. Not an EXISTS: Postgres may turn an EXISTS into a hash of every like the viewer ever
      gave, a cost that grows with their likes, where a scalar subquery stays one probe a post;
    - `bookmarked_by_me`: the same, one probe of bookmarks_unique_post_user;
    - the mentioned users' summaries from the replica, in the post's order, as one JSON array
      (NULL when it mentions no one: an empty array costs nothing to unnest); a primary-key
      probe of the replica per mention. Users deleted since (or never named) drop out;
    - the author's username and avatar from the replica, or NULLs for an author it does not
      hold yet: the renderer asks `summarize_authors` for those (one batched call, as for any
      page). One primary-key probe a post, kept so by the LATERAL's LIMIT (Postgres does not
      flatten a subquery with a LIMIT into a join): as a plain join, a generic plan that
      overestimates the rows (the timeline's two halves count twice) hash-joins the whole
      authors table instead, 1.2 ms at 10,000 authors and more with every user.
    The page size is written in, not passed: see `timeline.selectors` on generic plans.
    """
    position = [sql.Identifier("page", column) for column in key]
    return sql.SQL(
        """
        SELECT post.id, post.author_id, author.username, author.avatar_url,
               CASE WHEN post.hide_like_count AND post.author_id IS DISTINCT FROM %(viewer)s
                    THEN NULL ELSE post.like_count END AS like_count,
               post.comment_count, post.created_at, post.updated_at,
               (SELECT true FROM {likes} AS liked
                WHERE liked.post_id = post.id AND liked.user_id = %(viewer)s) AS liked_by_me,
               (SELECT true FROM {bookmarks} AS saved
                WHERE saved.post_id = post.id AND saved.user_id = %(viewer)s) AS bookmarked_by_me,
               (SELECT json_agg(json_build_object('id', mentioned.id,
                                                  'username', mentioned.username,
                                                  'avatar_url', mentioned.avatar_url)
                                ORDER BY mention.n)
                FROM unnest(post.mentioned_user_ids) WITH ORDINALITY AS mention (id, n)
                JOIN {authors} AS mentioned ON mentioned.id = mention.id
                WHERE mentioned.deleted_at IS NULL AND mentioned.username <> '') AS mentions
               {position}
        FROM ({ids}) AS page
        CROSS JOIN LATERAL (SELECT * FROM {posts} WHERE id = page.id LIMIT 1) AS post
        LEFT JOIN LATERAL (
            SELECT author.username, author.avatar_url FROM {authors} AS author
            WHERE author.id = post.author_id LIMIT 1
        ) AS author ON true
        ORDER BY {order}
        LIMIT {limit}
        """
    ).format(
        likes=sql.Identifier(Like._meta.db_table),
        bookmarks=sql.Identifier(Bookmark._meta.db_table),
        position=sql.SQL("").join(sql.SQL(", {}").format(column) for column in position),
        ids=ids,
        posts=sql.Identifier(Post._meta.db_table),
        authors=sql.Identifier(Author._meta.db_table),
        order=keyset.sql_order(*(position or (sql.SQL("post.created_at"), sql.SQL("post.id")))),
        limit=sql.Literal(limit),
    )


# The images as one JSON array per post, in upload order (post_images_unique_position serves
# the `post_id = ...` lookup); psycopg2 decodes it into Python lists. The hashtags in their
# order of first appearance (post_tags_unique_post_tag serves the lookup).
_POST_CONTENTS_SQL = f"""
    SELECT post.id, post.title, post.body, post.created_at, post.updated_at,
           post.comments_disabled, post.hide_like_count,
           (SELECT json_agg(json_build_array(image.id, image.file, image.thumbnail, image.width,
                                             image.height, image.alt_text, image.blurhash)
                            ORDER BY image.position)
            FROM {PostImage._meta.db_table} AS image
            WHERE image.post_id = post.id) AS images,
           (SELECT array_agg(tag.name ORDER BY post_tag.position)
            FROM {PostTag._meta.db_table} AS post_tag
            JOIN {Tag._meta.db_table} AS tag ON tag.id = post_tag.tag_id
            WHERE post_tag.post_id = post.id) AS hashtags
    FROM {Post._meta.db_table} AS post
    WHERE post.id = ANY(%(ids)s)
"""  # noqa: S608 - table names come from the models; every value is a parameter


@dataclass(slots=True)
class PostRow:
    """What a read of one post must fetch every time, as `post_rows` reads it."""

    id: int
    author_id: int
    # The replica's summary of the author; None when the replica does not hold them yet (the
    # renderer fills it in).
    author: UserSummary | None
    like_count: int | None
    comment_count: int
    liked_by_me: bool
    bookmarked_by_me: bool
    # User summaries, in the post's order.
    mentions: list[UserSummary]
    created_at: datetime
    updated_at: datetime
    # The row's place in a list not ordered on (created_at, id) (`post_rows_statement`'s
    # `key`), for its cursor; None otherwise.
    position: tuple[Any, ...] | None = None


class StoredImage(NamedTuple):
    """One image of a post as stored: storage names (not URLs), the image's size and its
    descriptions."""

    id: int
    file: str
    thumbnail: str
    width: int
    height: int
    alt_text: str
    blurhash: str


@dataclass(slots=True)
class PostContent:
    """What a post says, as of `updated_at`: the part of its shape worth keeping rendered."""

    id: int
    title: str
    body: str
    # In upload order.
    images: list[StoredImage]
    # Names, in order of first appearance.
    hashtags: list[str]
    comments_disabled: bool
    hide_like_count: bool
    created_at: datetime
    updated_at: datetime


def post_rows(statement: str, params: dict[str, Any], *, viewer_id: int | None) -> list[PostRow]:
    """Run a statement built by `post_rows_statement` (and rendered by `shared.prepared`) with
    the named parameters of its `ids` query: one query. Render the rows with
    `posts.api.rendering.render_posts`."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, statement, {**params, "viewer": viewer_id})
        records = cursor.fetchall()
    return [
        PostRow(
            id=post_id,
            author_id=author_id,
            author=(
                None
                if username is None
                else {"id": author_id, "username": username, "avatar_url": avatar_url}
            ),
            like_count=like_count,
            comment_count=comment_count,
            liked_by_me=bool(liked),
            bookmarked_by_me=bool(bookmarked),
            mentions=mentions or [],
            created_at=created_at,
            updated_at=updated_at,
            position=tuple(position) or None,
        )
        for (
            post_id,
            author_id,
            username,
            avatar_url,
            like_count,
            comment_count,
            created_at,
            updated_at,
            liked,
            bookmarked,
            mentions,
            *position,
        ) in records
    ]


def post_contents(post_ids: list[int]) -> list[PostContent]:
    """Title, body and images of the given posts (any order; deleted posts are left out)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _POST_CONTENTS_SQL, {"ids": post_ids})
        records = cursor.fetchall()
    return [
        PostContent(
            id=post_id,
            title=title,
            body=body,
            images=[StoredImage(*image) for image in images] if images else [],
            hashtags=tags or [],
            comments_disabled=comments_disabled,
            hide_like_count=hide_like_count,
            created_at=created_at,
            updated_at=updated_at,
        )
        for (
            post_id,
            title,
            body,
            created_at,
            updated_at,
            comments_disabled,
            hide_like_count,
            images,
            tags,
        ) in records
    ]


# The types of a posts cursor's (created_at, id).
POSITION_TYPES = (datetime, int)


@prepared.statement
def _single_post_statement() -> sql.Composed:
    # The policy on the post's author: two index-only probes of the blocks and one of the
    # replica, plus one of the follows for a private author (docs/visibility.md).
    ids = sql.SQL(
        "SELECT post.id FROM {posts} AS post WHERE post.id = %(id)s AND {visible}"
    ).format(
        posts=sql.Identifier(Post._meta.db_table),
        visible=sql_visible(sql.SQL("post.author_id")),
    )
    return post_rows_statement(ids, keyset=Keyset.of(None), limit=1)


def get_post_row(post_id: int, *, viewer_id: int | None = None) -> PostRow:
    """The post with everything the Post shape needs; `NotFound` when there is none or the
    viewer may not see it (`relationships.visibility`)."""
    rows = post_rows(_single_post_statement(), {"id": post_id}, viewer_id=viewer_id)
    if not rows:
        raise NotFound("No post with that id.")
    return rows[0]


@prepared.statement
def _user_posts_statement(keyset: Keyset, limit: int) -> sql.Composed:
    # The row comparison with the cursor is an index condition of posts_author_recent, so the
    # scan starts at the cursor, and reads only the index (id and created_at are in it).
    # The policy is about the one author: Postgres evaluates it once (InitPlans), before the
    # scan, and a page is all of the author's posts past the cursor or none.
    ids = sql.SQL(
        """
        SELECT post.id FROM {posts} AS post
        WHERE post.author_id = %(author)s AND {past} AND {visible}
        ORDER BY {order}
        LIMIT {limit}
        """
    ).format(
        posts=sql.Identifier(Post._meta.db_table),
        visible=sql_visible(sql.SQL("%(author)s::bigint")),
        past=keyset.sql_past(sql.SQL("post.created_at"), sql.SQL("post.id")),
        order=keyset.sql_order(sql.SQL("post.created_at"), sql.SQL("post.id")),
        limit=sql.Literal(limit),
    )
    return post_rows_statement(ids, keyset=keyset, limit=limit)


def user_post_rows(
    user_id: int, *, viewer_id: int | None, cursor: Cursor | None, limit: int
) -> list[PostRow]:
    """Up to `limit` of a user's posts just past `cursor`, in the page's direction, as the
    viewer may see them: `PrivateAccount` (403) for a private account's non-follower, no posts
    for a viewer in a block with the user (`relationships.visibility`).

    Newest first on (created_at, id); a `reverse` cursor walks towards newer posts and returns
    them oldest first (`KeysetPagination.paginate` flips them). One query; a second only when
    the page is empty, to tell a private account from an empty list.
    """
    keyset = Keyset.of(cursor)
    rows = post_rows(
        _user_posts_statement(keyset, int(limit)),
        {"author": user_id, **keyset.sql_params(cursor, POSITION_TYPES)},
        viewer_id=viewer_id,
    )
    if not rows:
        explain_empty_list(owner_id=user_id, viewer_id=viewer_id)
    return rows


# --- Search ---------------------------------------------------------------------------------
#
# GET /posts?search=Q (docs/discovery.md). Each of Q's words (letters and digits of any script,
# at most SEARCH_MAX_WORDS) must begin a word of the title or body, in the `simple`
# configuration: no stemming and no stop words, so every language is treated alike, and a
# prefix match finds a Korean word followed by its particle ("서울" finds "서울에서"). In a query
# outside ASCII, a word may instead lie inside a run of text without spaces ("맛집" in
# "서울맛집", "서울맛집" in "서울 맛집"): pg_trgm's word similarity finds the candidates
# through the trigram index, and the word itself must then be in the text with its spaces
# taken out. Best match first: ts_rank of the words, plus for those queries the trigram word
# similarity of the whole query.

# A query's length (characters) and how many of its words count.
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 10
# The types of a search cursor's (score, id).
SEARCH_POSITION_TYPES = (float, int)
_SEARCH_WORD = re.compile(r"\w+")


@prepared.statement
def _search_statement(keyset: Keyset, limit: int, *, words: int, trigrams: bool) -> sql.Composed:
    document = sql.SQL(SEARCH_DOCUMENT_SQL.format(post="post."))
    vector = sql.SQL(SEARCH_VECTOR_SQL.format(post="post."))

    def starts_a_word(i: int) -> sql.Composable:
        return sql.SQL("{vector} @@ to_tsquery('simple'::regconfig, {prefix})").format(
            vector=vector, prefix=sql.Placeholder(f"prefix{i}")
        )

    def inside_a_run(i: int) -> sql.Composable:
        # `<%` (word similarity above pg_trgm.word_similarity_threshold) is what
        # posts_search_trigrams serves; strpos keeps only texts that hold the word itself.
        return sql.SQL(
            "({word} <%% {document}"
            " AND strpos(lower(replace({document}, ' ', '')), lower({word})) > 0)"
        ).format(word=sql.Placeholder(f"word{i}"), document=document)

    if trigrams:
        match = sql.SQL(" AND ").join(
            sql.SQL("({} OR {})").format(starts_a_word(i), inside_a_run(i)) for i in range(words)
        )
        score = sql.SQL(
            "ts_rank({vector}, to_tsquery('simple'::regconfig, %(any)s))"
            " + word_similarity(%(text)s, {document})"
        ).format(vector=vector, document=document)
    else:
        match = sql.SQL("{vector} @@ to_tsquery('simple'::regconfig, %(all)s)").format(
            vector=vector
        )
        score = sql.SQL("ts_rank({vector}, to_tsquery('simple'::regconfig, %(all)s))").format(
            vector=vector
        )
    key = (sql.SQL("match.score"), sql.SQL("match.id"))
    ids = sql.SQL(
        """
        SELECT match.id, match.score
        FROM (
            SELECT post.id, ({score})::float8 AS score
            FROM {posts} AS post
            WHERE {match} AND {visible}
        ) AS match
        WHERE {past}
        ORDER BY {order}
        LIMIT {limit}
        """
    ).format(
        score=score,
        posts=sql.Identifier(Post._meta.db_table),
        match=match,
        visible=sql_visible(sql.SQL("post.author_id")),
        past=keyset.sql_past(*key),
        order=keyset.sql_order(*key),
        limit=sql.Literal(limit),
    )
    return post_rows_statement(ids, keyset=keyset, limit=limit, key=("score", "id"))


def search_post_rows(
    text: str, *, viewer_id: int | None, cursor: Cursor | None, limit: int
) -> list[PostRow]:
    """Up to `limit` of the posts matching `text` that the viewer may see, best match first
    on (score, id), just past `cursor`; each row's `position` is its cursor. One query (none
    for a text without a word)."""
    words = _SEARCH_WORD.findall(text)[:SEARCH_MAX_WORDS]
    if not words:
        return []
    keyset = Keyset.of(cursor, ("score", "id"))
    # Each word quoted as a lexeme and matched as a prefix: \w+ holds no quote or backslash.
    prefixes = [f"'{word}':*" for word in words]
    trigrams = not text.isascii()
    if trigrams:
        params = {
            **{f"prefix{i}": prefix for i, prefix in enumerate(prefixes)},
            **{f"word{i}": word for i, word in enumerate(words)},
            "any": " | ".join(prefixes),
            "text": text,
        }
    else:
        params = {"all": " & ".join(prefixes)}
    statement = _search_statement(keyset, int(limit), words=len(words), trigrams=trigrams)
    return post_rows(
        statement,
        {**params, **keyset.sql_params(cursor, SEARCH_POSITION_TYPES)},
        viewer_id=viewer_id,
    )


def post_likes(post_id: int, *, viewer_id: int | None) -> QuerySet[Like]:
    """A post's likes, without those of users in a block with the viewer (call
    `ensure_post_visible` first); paginate on ("-created_at", "-id") (index likes_post_recent)."""
    return (
        Like.objects.filter(post_id=post_id)
        .filter(not_blocked_q(viewer_id, "user_id"))
        .only("id", "user_id", "created_at")
    )


def comment_queryset(*, viewer_id: int | None = None) -> QuerySet[Comment]:
    """Comments as models, with `liked_by_me` for the viewer (one probe of
    comment_likes_unique_pair per comment; false for an anonymous viewer): for reads that need
    the model (the Mastodon API). The Comment shape's own lists read `comment_rows`."""
    liked = (
        Exists(CommentLike.objects.filter(comment_id=OuterRef("pk"), user_id=viewer_id))
        if viewer_id is not None
        else Value(False)
    )
    return Comment.objects.annotate(liked_by_me=liked)


def post_comments(post_id: int, *, viewer_id: int | None) -> QuerySet[Comment]:
    """A post's top-level comments, without those of users in a block with the viewer (call
    `ensure_post_visible` first); paginate on ("created_at", "id") (index
    comments_top_level_oldest)."""
    return (
        comment_queryset(viewer_id=viewer_id)
        .filter(post_id=post_id, parent__isnull=True)
        .filter(not_blocked_q(viewer_id, "author_id"))
    )


def comment_replies(comment_id: int, *, viewer_id: int | None) -> QuerySet[Comment]:
    """A comment's replies, without those of users in a block with the viewer (call
    `get_visible_comment` first); paginate on ("created_at", "id") (index
    comments_replies_oldest)."""
    return (
        comment_queryset(viewer_id=viewer_id)
        .filter(parent_id=comment_id)
        .filter(not_blocked_q(viewer_id, "author_id"))
    )


# --- The Comment shape's lists --------------------------------------------------------------
#
# GET /posts/{id}/comments and GET /comments/{id}/replies. Through the ORM a page cost four
# queries (the token check aside: the post's or the parent's visibility, the page, the
# authors' summaries) and ~5-6 ms in-process on the seeded database, most of it Python:
# building and compiling the policy's querysets, then planning them (about 0.6-0.9 ms of
# planning for 0.1-0.5 ms of execution each). Here a page is one prepared statement that
# checks the owner (post or parent comment), reads the page and its authors' summaries
# (docs/performance.md, "Comment threads").

# The types of a comments cursor's (created_at, id).
COMMENT_POSITION_TYPES = (datetime, int)


@dataclass(slots=True)
class CommentRow:
    """One comment as the Comment shape shows it, as `comment_rows` reads it."""

    id: int
    post_id: int
    author_id: int
    # The replica's summary of the author; None when the replica does not hold them yet (the
    # renderer asks `summarize_authors`).
    author: UserSummary | None
    body: str
    parent_id: int | None
    reply_count: int
    like_count: int
    liked_by_me: bool
    created_at: datetime


def comment_row(comment: Comment) -> CommentRow:
    """A comment just written, as a row of its shape: nobody has liked it yet."""
    return CommentRow(
        id=comment.pk,
        post_id=comment.post_id,
        author_id=comment.author_id,
        author=None,
        body=comment.body,
        parent_id=comment.parent_id,
        reply_count=comment.reply_count,
        like_count=comment.like_count,
        liked_by_me=False,
        created_at=comment.created_at,
    )


@prepared.statement
def _comment_rows_statement(keyset: Keyset, limit: int, *, replies: bool) -> sql.Composed:
    # The owner: the post (top-level comments), or the parent comment (replies), which must be
    # visible to the viewer: the policy on the post's author, and for a parent the block half
    # on its own author too (relationships.visibility). No owner row: 404. An owner with no
    # comment on the page: one row of NULLs, an empty page.
    # The page: one range of comments_top_level_oldest (partial, parent_id IS NULL) or of
    # comments_replies_oldest, starting at the cursor; commenters in a block with the viewer
    # are left out with an in-memory `<> ALL` of the hidden ids (read once, an InitPlan).
    # Per comment, `liked_by_me` is one probe of comment_likes_unique_pair (NULL viewer: none)
    # and the author one primary-key probe of the replica (kept so by the LATERAL's LIMIT, as
    # in post_rows_statement).
    posts, comments = sql.Identifier(Post._meta.db_table), sql.Identifier(Comment._meta.db_table)
    if replies:
        owner = sql.SQL(
            "SELECT parent.id FROM {comments} AS parent"
            " JOIN {posts} AS post ON post.id = parent.post_id"
            " WHERE parent.id = %(owner)s AND {visible} AND {not_blocked}"
        ).format(
            comments=comments,
            posts=posts,
            visible=sql_visible(sql.SQL("post.author_id")),
            not_blocked=sql_not_blocked(sql.SQL("parent.author_id")),
        )
        under = sql.SQL("comment.parent_id = owner.id")
    else:
        owner = sql.SQL(
            "SELECT post.id FROM {posts} AS post WHERE post.id = %(owner)s AND {visible}"
        ).format(posts=posts, visible=sql_visible(sql.SQL("post.author_id")))
        under = sql.SQL("comment.post_id = owner.id AND comment.parent_id IS NULL")
    key = (sql.SQL("comment.created_at"), sql.SQL("comment.id"))
    return sql.SQL(
        """
        SELECT comment.id, comment.post_id, comment.author_id,
               author.id, author.username, author.avatar_url,
               comment.body, comment.parent_id, comment.reply_count, comment.like_count,
               (SELECT true FROM {likes} AS liked
                WHERE liked.comment_id = comment.id AND liked.user_id = %(viewer)s),
               comment.created_at
        FROM ({owner}) AS owner
        LEFT JOIN LATERAL (
            SELECT * FROM {comments} AS comment
            WHERE {under} AND {past} AND comment.author_id <> ALL({hidden})
            ORDER BY {order}
            LIMIT {limit}
        ) AS comment ON true
        LEFT JOIN LATERAL (
            SELECT author.id, author.username, author.avatar_url FROM {authors} AS author
            WHERE author.id = comment.author_id LIMIT 1
        ) AS author ON true
        ORDER BY {order}
        """
    ).format(
        likes=sql.Identifier(CommentLike._meta.db_table),
        owner=owner,
        comments=comments,
        under=under,
        past=keyset.sql_past(*key),
        hidden=sql_hidden_user_ids(muted=False),
        order=keyset.sql_order(*key),
        limit=sql.Literal(limit),
        authors=sql.Identifier(Author._meta.db_table),
    )


def comment_rows(
    *,
    post_id: int | None = None,
    parent_id: int | None = None,
    viewer_id: int | None,
    cursor: Cursor | None,
    limit: int,
) -> list[CommentRow]:
    """Up to `limit` of a post's top-level comments (`post_id`) or of a comment's replies
    (`parent_id`), oldest first on (created_at, id) just past `cursor` (a `reverse` cursor
    walks back and returns them newest first), without those of users in a block with the
    viewer. `NotFound` when the post, or the comment, does not exist or the viewer may not see
    it (`relationships.visibility`). One query. Render with
    `posts.api.rendering.render_comments`."""
    if (post_id is None) == (parent_id is None):
        raise TypeError("comment_rows takes one of post_id and parent_id")
    keyset = Keyset.of(cursor, ("created_at", "id"), descending=False)
    statement = _comment_rows_statement(keyset, int(limit), replies=parent_id is not None)
    params = {
        "owner": post_id if parent_id is None else parent_id,
        "viewer": viewer_id,
        **keyset.sql_params(cursor, COMMENT_POSITION_TYPES),
    }
    with connection.cursor() as db:
        prepared.execute(db, statement, params)
        records = db.fetchall()
    if not records:
        raise NotFound("No comment with that id." if parent_id else "No post with that id.")
    return [
        CommentRow(
            id=comment_id,
            post_id=on_post,
            author_id=author_id,
            # A replica row without a name: a user the users service never had (as
            # `authors.selectors.replica_summaries` draws them).
            author=None
            if known is None
            else {"id": known, "username": username or None, "avatar_url": avatar_url},
            body=body,
            parent_id=parent,
            reply_count=reply_count,
            like_count=like_count,
            liked_by_me=bool(liked),
            created_at=created_at,
        )
        for (
            comment_id,
            on_post,
            author_id,
            known,
            username,
            avatar_url,
            body,
            parent,
            reply_count,
            like_count,
            liked,
            created_at,
        ) in records
        if comment_id is not None
    ]


def get_comment(comment_id: int) -> Comment:
    """The comment with its post (whose author may delete it too); `NotFound` when none."""
    try:
        return comment_queryset().select_related("post").get(pk=comment_id)
    except Comment.DoesNotExist:
        raise NotFound("No comment with that id.") from None


def get_visible_comment(comment_id: int, *, viewer_id: int | None) -> Comment:
    """The comment, if the viewer may see it: its post's author's content
    (`relationships.visibility.visible_q`) and in no block with its own author; `NotFound`
    otherwise, as if there were none."""
    visible = (
        Comment.objects.filter(pk=comment_id)
        .filter(visible_q(viewer_id, "post__author_id"))
        .filter(not_blocked_q(viewer_id, "author_id"))
    )
    comment = visible.first()
    if comment is None:
        raise NotFound("No comment with that id.")
    return comment


def post_counters() -> tuple[Counter, ...]:
    """The counters stored on posts, comments and tags, with the recount of each from its rows."""
    posts, likes, comments = Post._meta.db_table, Like._meta.db_table, Comment._meta.db_table
    tags, post_tags = Tag._meta.db_table, PostTag._meta.db_table
    comment_likes = CommentLike._meta.db_table
    return (
        Counter(
            name="posts.like_count",
            table=posts,
            key="id",
            column="like_count",
            recount=f"SELECT post_id, count(*) FROM {likes} GROUP BY post_id",  # noqa: S608
        ),
        Counter(
            name="posts.comment_count",
            table=posts,
            key="id",
            column="comment_count",
            recount=f"SELECT post_id, count(*) FROM {comments} GROUP BY post_id",  # noqa: S608
        ),
        Counter(
            name="comments.reply_count",
            table=comments,
            key="id",
            column="reply_count",
            recount=f"SELECT parent_id, count(*) FROM {comments} "  # noqa: S608
            "WHERE parent_id IS NOT NULL GROUP BY parent_id",
        ),
        Counter(
            name="comments.like_count",
            table=comments,
            key="id",
            column="like_count",
            recount=f"SELECT comment_id, count(*) FROM {comment_likes} GROUP BY comment_id",  # noqa: S608
        ),
        Counter(
            name="tags.post_count",
            table=tags,
            key="id",
            column="post_count",
            recount=f"SELECT tag_id, count(*) FROM {post_tags} GROUP BY tag_id",  # noqa: S608
        ),
    )
