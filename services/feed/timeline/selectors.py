"""The home timeline: the viewer's posts and those of everyone they follow, newest first.

Fan-out on read, as a per-author merge (see docs/timeline-query.md for the plans behind it).
`author_id IN (<followees>) ORDER BY created_at DESC, id DESC LIMIT n` would read every post of
every followee and sort them all, so its cost grows with the data. Instead, for each author the
viewer reads (themselves and each followee), a LATERAL subquery takes at most `limit` posts past
the cursor from the index posts_author_recent (author_id, created_at DESC, id DESC), and only
those few rows are merged: at most (followees + 1) x limit index entries, whatever the table
size, and a deep page costs what the first one does.
"""

from datetime import datetime

from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from posts.models import Post
from posts.selectors import post_queryset
from shared.pagination import Cursor
from social.models import Follow

# Placeholders: {after} is the cursor condition (or nothing), {direction} ASC or DESC.
# Parameters: the viewer's id twice, the cursor's (created_at, id) if any, the limit twice.
_PAGE_IDS_SQL = f"""
    SELECT page.id
    FROM (
        SELECT %s::bigint AS author_id
        UNION ALL
        SELECT followee_id FROM {Follow._meta.db_table} WHERE follower_id = %s
    ) AS authors
    CROSS JOIN LATERAL (
        SELECT post.id, post.created_at
        FROM {Post._meta.db_table} AS post
        WHERE post.author_id = authors.author_id {{after}}
        ORDER BY post.created_at {{direction}}, post.id {{direction}}
        LIMIT %s
    ) AS page
    ORDER BY page.created_at {{direction}}, page.id {{direction}}
    LIMIT %s
"""  # noqa: S608 - table names come from the models; every value is a parameter


def _boundary(cursor: Cursor) -> list[object]:
    """The cursor's (created_at, id), checked: the SQL below compares them as they come."""
    created_at, post_id = cursor.position
    if (
        not isinstance(created_at, datetime)
        or timezone.is_naive(created_at)
        or not isinstance(post_id, int)
    ):
        raise ValidationError({"cursor": ["Invalid cursor."]})
    return [created_at, post_id]


def timeline_page(*, viewer_id: int, cursor: Cursor | None, limit: int) -> list[Post]:
    """Up to `limit` posts of the viewer's timeline just past `cursor`, in the page's direction.

    Newest first; a `reverse` cursor walks towards newer posts and returns them oldest first
    (`KeysetPagination.paginate` flips them). The posts come from `post_queryset`, so a page is
    three queries whatever its size: the posts (picked by the merge above in a subquery, with
    liked_by_me), their images, and their authors when serialized.
    """
    backwards = bool(cursor and cursor.reverse)
    direction = "ASC" if backwards else "DESC"
    after, after_params = "", []
    if cursor is not None:
        # A row comparison the index serves directly: (created_at, id) past the boundary row.
        after = f"AND (post.created_at, post.id) {'>' if backwards else '<'} (%s, %s)"
        after_params = _boundary(cursor)
    sql = _PAGE_IDS_SQL.format(after=after, direction=direction)
    params = [viewer_id, viewer_id, *after_params, limit, limit]
    order = ("created_at", "id") if backwards else ("-created_at", "-id")
    posts = (
        post_queryset(viewer_id=viewer_id)
        .filter(pk__in=RawSQL(sql, params))  # noqa: S611 - parameters, not interpolation
        .order_by(*order)
    )
    return list(posts[:limit])
