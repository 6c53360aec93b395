"""/internal/v1/...: endpoints for the feed service only (never routed by the gateway)."""

from django.urls import path

from accounts.api import internal
from shared import ids  # noqa: F401 - registers the <id:...> converter

urlpatterns = [
    path("users", internal.InternalUserListView.as_view(), name="internal-users"),
    path(
        "users/by-username",
        internal.InternalUserByUsernameListView.as_view(),
        name="internal-users-by-username",
    ),
    path("users/<id:pk>", internal.InternalUserDetailView.as_view(), name="internal-user"),
    path(
        "staff/sign-in",
        internal.InternalStaffSignInView.as_view(),
        name="internal-staff-sign-in",
    ),
]
