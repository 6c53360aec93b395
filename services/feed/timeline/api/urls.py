"""The home timeline under /api/v1/."""

from django.urls import path

from timeline.api import feed

urlpatterns = [
    path("feed", feed.HomeFeedView.as_view(), name="home-feed"),
]
