"""The notifications service's part of the Mastodon-compatible API (docs/mastodon.md)."""

from django.urls import path

from notifications.api.mastodon import views

urlpatterns = [
    path(
        "api/v1/notifications", views.NotificationListView.as_view(), name="mastodon-notifications"
    ),
    path(
        "api/v1/notifications/clear",
        views.NotificationClearView.as_view(),
        name="mastodon-notifications-clear",
    ),
    path(
        "api/v1/notifications/<str:notification_id>",
        views.NotificationDetailView.as_view(),
        name="mastodon-notification",
    ),
]
