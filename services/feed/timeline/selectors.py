"""The home timeline: the viewer's posts and those of everyone they follow, newest first.

A page is read from the viewer's inbox (fan-out on write, `timeline.models`) when the inbox can
answer it, and merged from the followees' posts (fan-out on read) otherwise; both are one
statement, and Postgres runs only the half it needs.

The inbox answers a page when everything the page covers lies inside the range the inboxes are
complete in (`InboxCoverage`, about the last `TIMELINE_INBOX_DAYS`): towards older posts, a full
page whose oldest post is inside it; towards newer posts, a cursor inside it. Anything else (an
old page, a short timeline, inboxes not filled yet) is merged. See docs/performance.md for what
each costs.

The merge: `author_id IN (<followees>) ORDER BY created_at DESC, id DESC LIMIT n` would read
every post of every followee and sort them all, so its cost grows with the data. Instead, every
index read here is a short LATERAL scan of posts_author_recent (author_id, created_at DESC,
id DESC) that starts at the cursor, and a deep page costs what the first one does (see
docs/timeline-query.md for the plans behind it). It runs in two steps (a threshold merge):
1. `newest`: for each author the viewer reads (themselves and each followee), their newest post
   past the cursor: one index entry each.
2. `horizon`: the `limit`-th newest of those. At least `limit` posts (one per author above it)
   are at least that recent, so the page holds no older post, and an author whose newest post
   is older has nothing on it. Only the authors at or above the horizon are read further, from
   their newest post down to the horizon, at most `limit` each. With fewer authors than `limit`
   there is no horizon and every author is read.
Compared with taking `limit` posts from every author, this reads one entry for most followees
instead of `limit`: about 150 + 20 x (a few) index entries for a page rather than 150 x 21.
"""

from psycopg2 import sql

from posts.models import Post
from posts.selectors import POSITION_TYPES, PostRow, post_rows, post_rows_statement
from relationships.models import Follow
from relationships.visibility import sql_hidden_user_ids
from shared import prepared
from shared.pagination import Cursor, Keyset
from timeline.models import InboxEntry, MergedAuthor
from timeline.services import COMPLETE_SINCE_SQL, inbox_window

_POSTS = sql.Identifier(Post._meta.db_table)
_POST_KEY = (sql.SQL("post.created_at"), sql.SQL("post.id"))
# The visibility policy on the timeline (docs/visibility.md): the accounts in a block with the
# viewer and those the viewer mutes, one array per statement. Privacy needs no check here: the
# timeline's authors are the viewer and their accepted followees, and the inboxes hold only
# their posts (a block purges both inboxes, an unfollow the follower's).
_HIDDEN = sql_hidden_user_ids(muted=True)


def timeline_page(*, viewer_id: int, cursor: Cursor | None, limit: int) -> list[PostRow]:
    """Up to `limit` posts of the viewer's timeline just past `cursor`, in the page's direction.

    Newest first; a `reverse` cursor walks towards newer posts and returns them oldest first
    (`KeysetPagination.paginate` flips them). One query whatever the page's size: the page's
    post ids (from the inbox, or merged) inside `posts.selectors.post_rows_statement`, which
    adds liked_by_me and the authors (and `posts.api.rendering` adds one query for posts it
    has not rendered yet).
    """
    keyset = Keyset.of(cursor)
    # With the inboxes off (an empty window) every page is merged.
    statement = _page_statement(keyset, int(limit), inbox=bool(inbox_window()))
    params = {"viewer": viewer_id, **keyset.sql_params(cursor, POSITION_TYPES)}
    return post_rows(statement, params, viewer_id=viewer_id)


@prepared.statement
def _page_statement(keyset: Keyset, limit: int, *, inbox: bool) -> sql.Composed:
    """The page's statement for one shape of request (a few hundred shapes at most: page sizes
    are capped), built and rendered once: the same text every time, the prepared statement's
    key."""
    ids = _inbox_or_merge(keyset, limit) if inbox else _merge(keyset, limit)
    return post_rows_statement(ids, keyset=keyset, limit=limit)


def _walk(
    keyset: Keyset, key: tuple[sql.Composable, sql.Composable], limit: int
) -> dict[str, sql.Composable]:
    """`{past}`, `{order}` and `{limit}` of a statement reading `key` (created_at and id
    columns) in the page's direction, from the cursor on, `limit` rows at most."""
    return {
        "past": keyset.sql_past(*key),
        "order": keyset.sql_order(*key),
        "limit": sql.Literal(limit),
    }


def _merge(keyset: Keyset, limit: int) -> sql.Composed:
    """The threshold merge (the module comment): the ids and created_at of the page's posts.

    `limit` is written into the statement rather than passed: a prepared statement soon runs a
    generic plan, and with `LIMIT $n` that plan must guess how many rows come back (a tenth of
    the table), and then reads the whole authors table into a hash join for a page of 20
    (1.2 ms a page at 10,000 authors). One statement per page size is prepared instead.
    """
    if keyset.descending:
        # Towards older posts: the horizon is the oldest of the `limit` newest, or none.
        reached, horizon, no_horizon = sql.SQL(">="), sql.SQL("min"), "-infinity"
    else:
        reached, horizon, no_horizon = sql.SQL("<="), sql.SQL("max"), "infinity"
    return sql.SQL(
        """
        WITH newest AS (
            SELECT authors.author_id, latest.created_at
            FROM (
                SELECT %(viewer)s::bigint AS author_id
                UNION ALL
                SELECT followee_id FROM {follows}
                WHERE follower_id = %(viewer)s AND followee_id <> ALL({hidden})
            ) AS authors
            CROSS JOIN LATERAL (
                SELECT post.created_at
                FROM {posts} AS post
                WHERE post.author_id = authors.author_id AND {past}
                ORDER BY {order}
                LIMIT 1
            ) AS latest
        ), horizon AS (
            SELECT CASE WHEN count(*) < {limit} THEN {no_horizon}::timestamptz
                        ELSE {horizon}(top.created_at) END AS created_at
            FROM (
                SELECT created_at FROM newest ORDER BY created_at {direction} LIMIT {limit}
            ) AS top
        )
        SELECT page.id, page.created_at
        FROM newest
        CROSS JOIN horizon
        CROSS JOIN LATERAL (
            SELECT post.id, post.created_at
            FROM {posts} AS post
            WHERE post.author_id = newest.author_id AND {past}
              AND post.created_at {reached} horizon.created_at
            ORDER BY {order}
            LIMIT {limit}
        ) AS page
        WHERE newest.created_at {reached} horizon.created_at
        ORDER BY {page_order}
        LIMIT {limit}
        """
    ).format(
        follows=sql.Identifier(Follow._meta.db_table),
        hidden=_HIDDEN,
        posts=_POSTS,
        **_walk(keyset, _POST_KEY, limit),
        no_horizon=sql.Literal(no_horizon),
        horizon=horizon,
        direction=sql.SQL("DESC" if keyset.descending else "ASC"),
        reached=reached,
        page_order=keyset.sql_order(sql.SQL("page.created_at"), sql.SQL("page.id")),
    )


def _inbox_or_merge(keyset: Keyset, limit: int) -> sql.Composed:
    """The page's post ids from the inbox when it answers the page (the module comment), or
    else merged.

    `inbox` reads the viewer's entries past the cursor (one range of the primary key); an entry
    whose post is gone is skipped by the join (a probe of the posts' primary key: the post's
    row itself is read once, by `post_rows_statement`). With them, the two kinds of post the
    inboxes do not hold (the hybrid fan-out, `timeline.services`): the posts of the few
    followees that are `MergedAuthor`s, `limit` from each one's index range, and the posts
    whose fan-out is still under way by any followee (the pending marks of the whole service,
    a handful while the consumer keeps up, each probed against the viewer's follows). UNION
    drops a post found twice (a merged author's posts copied before it was merged). `answer`
    says whether that page is the timeline's, from how many posts `inbox` found and the oldest
    one's created_at (one row, always). The merge's half is gated on it as a one-time filter,
    and is not run when the inbox answers.
    """
    complete_since = sql.SQL(COMPLETE_SINCE_SQL)
    if keyset.descending:
        # A full page, down to a post inside the covered range: nothing older is on it.
        answered = sql.SQL("page.found = {limit} AND page.oldest >= {complete_since}").format(
            limit=sql.Literal(limit), complete_since=complete_since
        )
    else:
        # Everything newer than a cursor inside the covered range is inside it, full or not.
        answered = sql.SQL("{cursor} >= {complete_since}").format(
            cursor=sql.Placeholder("after_created_at"), complete_since=complete_since
        )
    entry_key = (sql.SQL("entry.created_at"), sql.SQL("entry.post_id"))
    return sql.SQL(
        """
        WITH inbox AS MATERIALIZED (
            SELECT candidate.id, candidate.created_at
            FROM (
                (SELECT entry.post_id AS id, entry.created_at
                 FROM {inbox} AS entry
                 JOIN {posts} AS post ON post.id = entry.post_id
                 WHERE entry.owner_id = %(viewer)s AND {past}
                   AND post.author_id <> ALL({hidden})
                 ORDER BY {order}
                 LIMIT {limit})
                UNION
                (SELECT page.id, page.created_at
                 FROM {follows} AS follow
                 JOIN {merged} AS merged ON merged.author_id = follow.followee_id
                 CROSS JOIN LATERAL (
                     SELECT post.id, post.created_at
                     FROM {posts} AS post
                     WHERE post.author_id = follow.followee_id AND {post_past}
                     ORDER BY {post_order}
                     LIMIT {limit}
                 ) AS page
                 WHERE follow.follower_id = %(viewer)s AND follow.followee_id <> ALL({hidden}))
                UNION
                (SELECT entry.post_id, entry.created_at
                 FROM {inbox} AS entry
                 WHERE entry.fanout_pending AND {past} AND entry.owner_id <> ALL({hidden})
                   AND EXISTS (
                        SELECT 1 FROM {follows} AS follow
                        WHERE follow.follower_id = %(viewer)s
                          AND follow.followee_id = entry.owner_id
                   )
                 ORDER BY {order}
                 LIMIT {limit})
            ) AS candidate
            ORDER BY {candidate_order}
            LIMIT {limit}
        ), answer AS (
            SELECT coalesce({answered}, false) AS answered
            FROM (SELECT count(*) AS found, min(created_at) AS oldest FROM inbox) AS page
        )
        SELECT inbox.id, inbox.created_at FROM inbox WHERE (SELECT answered FROM answer)
        UNION ALL
        SELECT merged.id, merged.created_at FROM ({merge}) AS merged
        WHERE NOT (SELECT answered FROM answer)
        """
    ).format(
        inbox=sql.Identifier(InboxEntry._meta.db_table),
        posts=_POSTS,
        follows=sql.Identifier(Follow._meta.db_table),
        merged=sql.Identifier(MergedAuthor._meta.db_table),
        hidden=_HIDDEN,
        **_walk(keyset, entry_key, limit),
        post_past=keyset.sql_past(*_POST_KEY),
        post_order=keyset.sql_order(*_POST_KEY),
        candidate_order=keyset.sql_order(sql.SQL("candidate.created_at"), sql.SQL("candidate.id")),
        answered=answered,
        merge=_merge(keyset, limit),
    )
