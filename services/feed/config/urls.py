"""Feed service routes: /api/v1/posts..., /api/v1/users/{id}/..., /internal/v1/..., health."""

from django.urls import path

from posts.api import posts
from shared import health
from shared.errors import JSON_ERROR_HANDLERS

globals().update(JSON_ERROR_HANDLERS)

urlpatterns = [
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("api/v1/posts", posts.PostListView.as_view(), name="post-list"),
    path("api/v1/posts/<int:post_id>", posts.PostDetailView.as_view(), name="post-detail"),
]
