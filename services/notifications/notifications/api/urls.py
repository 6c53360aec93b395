"""Notifications under /api/v1/."""

from django.urls import path

from notifications.api import notifications

urlpatterns = [
    path("notifications", notifications.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/unread_count",
        notifications.UnreadCountView.as_view(),
        name="notifications-unread-count",
    ),
    path("notifications/read", notifications.MarkReadView.as_view(), name="notifications-read"),
    path(
        "notifications/settings",
        notifications.NotificationSettingsView.as_view(),
        name="notifications-settings",
    ),
]
