"""Follows and stats under /api/v1/."""

from django.urls import path

from shared import ids  # noqa: F401 - registers the <id:...> converter
from social.api import follows, stats

urlpatterns = [
    path("users/<id:user_id>/follow", follows.UserFollowView.as_view(), name="user-follow"),
    path(
        "users/<id:user_id>/followers",
        follows.UserFollowerListView.as_view(),
        name="user-followers",
    ),
    path(
        "users/<id:user_id>/following",
        follows.UserFollowingListView.as_view(),
        name="user-following",
    ),
    path("users/<id:user_id>/stats", stats.UserStatsView.as_view(), name="user-stats"),
]
