from django.urls import path

from posts.api import posts

urlpatterns = [
    path("posts", posts.PostListView.as_view(), name="post-list"),
    path("posts/<int:post_id>", posts.PostDetailView.as_view(), name="post-detail"),
]
