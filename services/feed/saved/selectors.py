"""Every read of what a user saved: their bookmarked posts and their collections.

Both lists of posts are one statement a page (`posts.selectors.post_rows_statement` around a
query of the page's post ids), ordered on when the post was saved, not on when it was posted.
A post its owner may no longer see (the visibility policy) drops out of every list, in the
query, and is not counted in a collection's `post_count`.
"""

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from psycopg2 import sql
from rest_framework.exceptions import NotFound

from posts.models import Bookmark, Post
from posts.selectors import PostRow, get_post_for_write, post_rows, post_rows_statement
from relationships.visibility import sql_visible, visible_q
from saved.models import Collection, CollectionEntry
from shared import prepared
from shared.pagination import Cursor, Keyset

# The types of a saved list's cursor: (when saved, the bookmark's or the entry's id).
SAVED_POSITION_TYPES = (datetime, int)


def visible_post(post_id: int, *, viewer_id: int) -> Post:
    """The post, for a write that saves it or takes it out; `NotFound` unless it exists and
    the viewer may see it (to a viewer who may not, it does not exist). `bookmark_post` checks
    again inside its transaction."""
    return get_post_for_write(post_id, viewer_id=viewer_id)


@prepared.statement
def _saved_page_statement(keyset: Keyset, limit: int, *, collection: bool) -> sql.Composed:
    # From the bookmarks (bookmarks_user_recent) or a collection's entries
    # (collection_entries_recent): a range scan from the cursor; the join to the post (a
    # primary-key probe) is where the visibility policy drops what the viewer may no longer see.
    if collection:
        source = sql.SQL("{entries} AS saved WHERE saved.collection_id = %(collection)s").format(
            entries=sql.Identifier(CollectionEntry._meta.db_table)
        )
    else:
        source = sql.SQL("{bookmarks} AS saved WHERE saved.user_id = %(viewer)s").format(
            bookmarks=sql.Identifier(Bookmark._meta.db_table)
        )
    key = (sql.SQL("saved.created_at"), sql.SQL("saved.id"))
    ids = sql.SQL(
        """
        SELECT saved.post_id AS id, saved.created_at AS saved_at, saved.id AS saved_id
        FROM {source} AND {past}
          AND EXISTS (SELECT FROM {posts} AS post WHERE post.id = saved.post_id AND {visible})
        ORDER BY {order}
        LIMIT {limit}
        """
    ).format(
        source=source,
        past=keyset.sql_past(*key),
        posts=sql.Identifier(Post._meta.db_table),
        visible=sql_visible(sql.SQL("post.author_id")),
        order=keyset.sql_order(*key),
        limit=sql.Literal(limit),
    )
    return post_rows_statement(ids, keyset=keyset, limit=limit, key=("saved_at", "saved_id"))


def bookmark_rows(*, viewer_id: int, cursor: Cursor | None, limit: int) -> list[PostRow]:
    """Up to `limit` of the viewer's bookmarked posts just past `cursor`, newest bookmark
    first (a `reverse` cursor walks back, oldest first); each row's `position` is its cursor."""
    keyset = Keyset.of(cursor)
    return post_rows(
        _saved_page_statement(keyset, int(limit), collection=False),
        keyset.sql_params(cursor, SAVED_POSITION_TYPES),
        viewer_id=viewer_id,
    )


def collection_post_rows(
    collection: Collection, *, cursor: Cursor | None, limit: int
) -> list[PostRow]:
    """As `bookmark_rows`, for the posts of the owner's `collection`, newest added first."""
    keyset = Keyset.of(cursor)
    return post_rows(
        _saved_page_statement(keyset, int(limit), collection=True),
        {"collection": collection.pk, **keyset.sql_params(cursor, SAVED_POSITION_TYPES)},
        viewer_id=collection.owner_id,
    )


def collections_of(owner_id: int) -> QuerySet[Collection]:
    """The owner's collections with `post_count` (the posts they may still see); paginate on
    ("-created_at", "-id") (index collections_owner_recent)."""
    counted = (
        CollectionEntry.objects.filter(collection_id=OuterRef("pk"))
        .filter(visible_q(owner_id, "post__author_id"))
        .order_by()
        .values("collection_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Collection.objects.filter(owner_id=owner_id).annotate(
        post_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    )


def get_collection(collection_id: int, *, owner_id: int) -> Collection:
    """The owner's collection with its `post_count`; `NotFound` when there is none, including
    another user's (collections are private: theirs do not exist for anyone else)."""
    collection = collections_of(owner_id).filter(pk=collection_id).first()
    if collection is None:
        raise NotFound("No collection with that id.")
    return collection
