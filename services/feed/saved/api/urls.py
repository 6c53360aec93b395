"""Bookmarks and collections under /api/v1/."""

from django.urls import path

from saved.api import bookmarks, collections
from shared import ids  # noqa: F401 - registers the <id:...> converter

urlpatterns = [
    path("posts/<id:post_id>/bookmark", bookmarks.PostBookmarkView.as_view(), name="post-bookmark"),
    path("bookmarks", bookmarks.BookmarkListView.as_view(), name="bookmarks"),
    path("collections", collections.CollectionListView.as_view(), name="collections"),
    path(
        "collections/<id:collection_id>",
        collections.CollectionDetailView.as_view(),
        name="collection-detail",
    ),
    path(
        "collections/<id:collection_id>/posts",
        collections.CollectionPostListView.as_view(),
        name="collection-posts",
    ),
    path(
        "collections/<id:collection_id>/posts/<id:post_id>",
        collections.CollectionPostView.as_view(),
        name="collection-post",
    ),
]
