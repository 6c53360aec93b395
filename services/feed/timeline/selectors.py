"""The home timeline: the viewer's posts and those of everyone they follow, newest first.

Fan-out on read, as a per-author merge (see docs/timeline-query.md for the plans behind it).
`author_id IN (<followees>) ORDER BY created_at DESC, id DESC LIMIT n` would read every post of
every followee and sort them all, so its cost grows with the data. Instead, for each author the
viewer reads (themselves and each followee), a LATERAL subquery takes at most `limit` posts past
the cursor from the index posts_author_recent (author_id, created_at DESC, id DESC), and only
those few rows are merged: at most (followees + 1) x limit index entries, whatever the table
size, and a deep page costs what the first one does.
"""

from posts.models import Post
from posts.selectors import PostRow, cursor_position, post_rows
from shared.pagination import Cursor
from social.models import Follow

# Placeholders: {after} is the cursor condition (or nothing), {direction} ASC or DESC.
# Named parameters: %(viewer)s, %(limit)s, and the cursor's %(after_created_at)s, %(after_id)s.
_PAGE_IDS_SQL = f"""
    SELECT page.id
    FROM (
        SELECT %(viewer)s::bigint AS author_id
        UNION ALL
        SELECT followee_id FROM {Follow._meta.db_table} WHERE follower_id = %(viewer)s
    ) AS authors
    CROSS JOIN LATERAL (
        SELECT post.id, post.created_at
        FROM {Post._meta.db_table} AS post
        WHERE post.author_id = authors.author_id {{after}}
        ORDER BY post.created_at {{direction}}, post.id {{direction}}
        LIMIT %(limit)s
    ) AS page
    ORDER BY page.created_at {{direction}}, page.id {{direction}}
    LIMIT %(limit)s
"""  # noqa: S608 - table names come from the models; every value is a parameter


def timeline_page(*, viewer_id: int, cursor: Cursor | None, limit: int) -> list[PostRow]:
    """Up to `limit` posts of the viewer's timeline just past `cursor`, in the page's direction.

    Newest first; a `reverse` cursor walks towards newer posts and returns them oldest first
    (`KeysetPagination.paginate` flips them). The merge above picks the page's ids inside the
    one statement of `posts.selectors.post_rows`, which reads those posts with liked_by_me, their
    authors and their images: a page is one query whatever its size. Reading the ids and the
    rows in one statement also means a post deleted meanwhile cannot leave a hole in the page.
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
    merge = _PAGE_IDS_SQL.format(after=after, direction="ASC" if backwards else "DESC")
    return post_rows(
        # ARRAY(...) runs the merge once, before the page's rows are read by primary key (and
        # plans faster than `IN`, a join). The merge's own `post` alias is scoped to its LATERAL.
        where=f"post.id = ANY(ARRAY({merge}))",
        params=params,
        viewer_id=viewer_id,
        limit=limit,
        oldest_first=backwards,
    )
