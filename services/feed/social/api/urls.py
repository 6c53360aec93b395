"""Follows and stats under /api/v1/."""

from django.urls import path

from social.api import follows, stats

urlpatterns = [
    path("users/<int:user_id>/follow", follows.UserFollowView.as_view(), name="user-follow"),
    path(
        "users/<int:user_id>/followers",
        follows.UserFollowerListView.as_view(),
        name="user-followers",
    ),
    path(
        "users/<int:user_id>/following",
        follows.UserFollowingListView.as_view(),
        name="user-following",
    ),
    path("users/<int:user_id>/stats", stats.UserStatsView.as_view(), name="user-stats"),
]
