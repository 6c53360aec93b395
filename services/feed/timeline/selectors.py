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

import functools

from posts.models import Post
from posts.selectors import PostRow, cursor_position, post_rows
from shared.pagination import Cursor
from social.models import Follow
from timeline.models import InboxEntry
from timeline.services import COMPLETE_SINCE_SQL, inbox_window

# Placeholders: {after} is the cursor condition on `post` (or nothing); {direction} is DESC
# (older posts: the first page and `next`) or ASC (a `previous` page), with {past} the matching
# comparison (>= or <=), {far} the horizon when there is none (-infinity or infinity) and
# {bound} the aggregate that picks the horizon (min or max).
# {limit} is the page size, written into the statement rather than passed: a prepared statement
# soon runs a generic plan, and with `LIMIT $n` that plan must guess how many rows come back
# (a tenth of the table), and then reads the whole authors table into a hash join for a page of
# 20 (1.2 ms a page at 10,000 authors). One statement per page size is prepared instead.
# Named parameters: %(viewer)s and the cursor's %(after_created_at)s, %(after_id)s.
_MERGE_SQL = f"""
    WITH newest AS (
        SELECT authors.author_id, latest.created_at
        FROM (
            SELECT %(viewer)s::bigint AS author_id
            UNION ALL
            SELECT followee_id FROM {Follow._meta.db_table} WHERE follower_id = %(viewer)s
        ) AS authors
        CROSS JOIN LATERAL (
            SELECT post.created_at
            FROM {Post._meta.db_table} AS post
            WHERE post.author_id = authors.author_id {{after}}
            ORDER BY post.created_at {{direction}}, post.id {{direction}}
            LIMIT 1
        ) AS latest
    ), horizon AS (
        SELECT CASE WHEN count(*) < {{limit}} THEN '{{far}}'::timestamptz
                    ELSE {{bound}}(top.created_at) END AS created_at
        FROM (
            SELECT created_at FROM newest ORDER BY created_at {{direction}} LIMIT {{limit}}
        ) AS top
    )
    SELECT page.*
    FROM newest
    CROSS JOIN horizon
    CROSS JOIN LATERAL (
        SELECT post.*
        FROM {Post._meta.db_table} AS post
        WHERE post.author_id = newest.author_id {{after}}
          AND post.created_at {{past}} horizon.created_at
        ORDER BY post.created_at {{direction}}, post.id {{direction}}
        LIMIT {{limit}}
    ) AS page
    WHERE newest.created_at {{past}} horizon.created_at
    ORDER BY page.created_at {{direction}}, page.id {{direction}}
    LIMIT {{limit}}
"""  # noqa: S608 - table names come from the models; every value is a parameter

# The page from the inbox, or else the merge. `inbox` reads the viewer's entries past the cursor
# (one backward range of the primary key) with their posts; an entry whose post is gone is
# skipped by the join. `answered` says whether that page is the timeline's (the module comment),
# from `page`: how many posts `inbox` found and the oldest one's created_at (one row, always).
# The merge's half is gated on it as a one-time filter, and is not run when the inbox answers.
# Placeholders: those of _MERGE_SQL, plus {entry_after} (the cursor condition on `entry`) and
# {answered} (which may hold {limit} itself).
_PAGE_SQL = f"""
    WITH inbox AS MATERIALIZED (
        SELECT post.*
        FROM {InboxEntry._meta.db_table} AS entry
        JOIN {Post._meta.db_table} AS post ON post.id = entry.post_id
        WHERE entry.owner_id = %(viewer)s {{entry_after}}
        ORDER BY entry.created_at {{direction}}, entry.post_id {{direction}}
        LIMIT {{limit}}
    ), answer AS (
        SELECT coalesce({{answered}}, false) AS answered
        FROM (SELECT count(*) AS found, min(created_at) AS oldest FROM inbox) AS page
    )
    SELECT inbox.* FROM inbox WHERE (SELECT answered FROM answer)
    UNION ALL
    SELECT merged.* FROM ({_MERGE_SQL}) AS merged WHERE NOT (SELECT answered FROM answer)
"""  # noqa: S608 - table names come from the models; every value is a parameter

_OLDER = {
    "direction": "DESC",
    "past": ">=",
    "far": "-infinity",
    "bound": "min",
    # A full page, down to a post inside the covered range: nothing older is on it.
    "answered": "page.found = {limit} AND page.oldest >= " + COMPLETE_SINCE_SQL,
}
_NEWER = {
    "direction": "ASC",
    "past": "<=",
    "far": "infinity",
    "bound": "max",
    # Everything newer than a cursor inside the covered range is inside it, full or not.
    "answered": f"%(after_created_at)s >= {COMPLETE_SINCE_SQL}",
}


def timeline_page(*, viewer_id: int, cursor: Cursor | None, limit: int) -> list[PostRow]:
    """Up to `limit` posts of the viewer's timeline just past `cursor`, in the page's direction.

    Newest first; a `reverse` cursor walks towards newer posts and returns them oldest first
    (`KeysetPagination.paginate` flips them). The inbox-or-merge above is the source of the one
    statement of `posts.selectors.post_rows`, which adds liked_by_me and the authors: a page is
    one query whatever its size (and `posts.api.rendering` adds one for posts it has not
    rendered yet).
    """
    backwards = bool(cursor and cursor.reverse)
    return post_rows(
        # Both halves return the page's posts themselves, so they are not looked up again.
        source=_page_sql(
            backwards=backwards,
            after_cursor=cursor is not None,
            limit=int(limit),
            inbox=bool(inbox_window()),
        ),
        where="true",
        params=cursor_position(cursor) if cursor is not None else {},
        viewer_id=viewer_id,
        limit=limit,
        oldest_first=backwards,
    )


@functools.cache
def _page_sql(*, backwards: bool, after_cursor: bool, limit: int, inbox: bool) -> str:
    """The page's statement for one shape of request (a few hundred shapes at most: page sizes
    are capped), built once: the same string object every time, also the prepared statement's
    key."""
    after = entry_after = ""
    if after_cursor:
        # Row comparisons the indexes serve directly: (created_at, id) past the boundary row.
        past = ">" if backwards else "<"
        after = f"AND (post.created_at, post.id) {past} (%(after_created_at)s, %(after_id)s)"
        entry_after = (
            f"AND (entry.created_at, entry.post_id) {past} (%(after_created_at)s, %(after_id)s)"
        )
    sides = _NEWER if backwards else _OLDER
    # With the inboxes off (an empty window) every page is merged.
    page = (_PAGE_SQL if inbox else _MERGE_SQL).format(
        **sides | {"answered": sides["answered"].format(limit=limit)},
        after=after,
        entry_after=entry_after,
        limit=limit,
    )
    return f"({page})"
