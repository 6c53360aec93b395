"""/internal/v1/...: endpoints for the feed service only (never routed by the gateway)."""

from django.urls import path

from accounts.api import internal

urlpatterns = [
    path("users", internal.InternalUserListView.as_view(), name="internal-users"),
    path("users/<int:pk>", internal.InternalUserDetailView.as_view(), name="internal-user"),
]
