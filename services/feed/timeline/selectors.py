"""The home timeline: the viewer's posts and those of everyone they follow, newest first.

Fan-out on read, as a per-author merge (see docs/timeline-query.md for the plans behind it).
`author_id IN (<followees>) ORDER BY created_at DESC, id DESC LIMIT n` would read every post of
every followee and sort them all, so its cost grows with the data. Instead, every index read
here is a short LATERAL scan of posts_author_recent (author_id, created_at DESC, id DESC) that
starts at the cursor, and a deep page costs what the first one does.

The merge runs in two steps (a threshold merge):
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

from posts.models import Post
from posts.selectors import PostRow, cursor_position, post_rows
from shared.pagination import Cursor
from social.models import Follow

# Placeholders: {after} is the cursor condition on `post` (or nothing); {direction} is DESC
# (older posts: the first page and `next`) or ASC (a `previous` page), with {past} the matching
# comparison (>= or <=), {far} the horizon when there is none (-infinity or infinity) and
# {bound} the aggregate that picks the horizon (min or max).
# Named parameters: %(viewer)s, %(limit)s, and the cursor's %(after_created_at)s, %(after_id)s.
_PAGE_IDS_SQL = f"""
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
        SELECT CASE WHEN count(*) < %(limit)s THEN '{{far}}'::timestamptz
                    ELSE {{bound}}(top.created_at) END AS created_at
        FROM (
            SELECT created_at FROM newest ORDER BY created_at {{direction}} LIMIT %(limit)s
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
        LIMIT %(limit)s
    ) AS page
    WHERE newest.created_at {{past}} horizon.created_at
    ORDER BY page.created_at {{direction}}, page.id {{direction}}
    LIMIT %(limit)s
"""  # noqa: S608 - table names come from the models; every value is a parameter

_OLDER = {"direction": "DESC", "past": ">=", "far": "-infinity", "bound": "min"}
_NEWER = {"direction": "ASC", "past": "<=", "far": "infinity", "bound": "max"}


def timeline_page(*, viewer_id: int, cursor: Cursor | None, limit: int) -> list[PostRow]:
    """Up to `limit` posts of the viewer's timeline just past `cursor`, in the page's direction.

    Newest first; a `reverse` cursor walks towards newer posts and returns them oldest first
    (`KeysetPagination.paginate` flips them). The merge above is the source of the one
    statement of `posts.selectors.post_rows`, which adds liked_by_me and the authors: a page is
    one query whatever its size (and `posts.api.rendering` adds one for posts it has not
    rendered yet).
    """
    backwards = bool(cursor and cursor.reverse)
    after, params = "", {}
    if cursor is not None:
        # A row comparison the index serves directly: (created_at, id) past the boundary row.
        after = (
            f"AND (post.created_at, post.id) {'>' if backwards else '<'}"
            " (%(after_created_at)s, %(after_id)s)"
        )
        params = cursor_position(cursor)
    merge = _PAGE_IDS_SQL.format(after=after, **(_NEWER if backwards else _OLDER))
    return post_rows(
        # The merge returns the page's posts themselves (its last step reads them from the
        # table, not index-only), so they are not looked up again by primary key.
        source=f"({merge})",
        where="true",
        params=params,
        viewer_id=viewer_id,
        limit=limit,
        oldest_first=backwards,
    )
