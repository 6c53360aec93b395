"""Discovery under /api/v1/."""

from django.urls import path

from discovery.api import views

urlpatterns = [
    # Any name without a slash reaches the view, which says 400 when it is not a tag.
    path("tags/<str:name>", views.TagView.as_view(), name="tag"),
    path("tags/<str:name>/posts", views.TagPostListView.as_view(), name="tag-posts"),
    path("explore/posts", views.ExplorePostListView.as_view(), name="explore-posts"),
    path("explore/tags", views.ExploreTagListView.as_view(), name="explore-tags"),
    path("users/suggested", views.SuggestedUserListView.as_view(), name="suggested-users"),
]
