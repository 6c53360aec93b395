"""Follow requests, blocks and mutes under /api/v1/."""

from django.urls import path

from relationships.api import blocks, mutes, requests
from shared import ids  # noqa: F401 - registers the <id:...> converter

urlpatterns = [
    path("follow-requests", requests.FollowRequestListView.as_view(), name="follow-requests"),
    path(
        "follow-requests/<id:user_id>/accept",
        requests.FollowRequestAcceptView.as_view(),
        name="follow-request-accept",
    ),
    path(
        "follow-requests/<id:user_id>/reject",
        requests.FollowRequestRejectView.as_view(),
        name="follow-request-reject",
    ),
    path("users/<id:user_id>/block", blocks.UserBlockView.as_view(), name="user-block"),
    path("blocks", blocks.BlockListView.as_view(), name="blocks"),
    path("users/<id:user_id>/mute", mutes.UserMuteView.as_view(), name="user-mute"),
    path("mutes", mutes.MuteListView.as_view(), name="mutes"),
]
