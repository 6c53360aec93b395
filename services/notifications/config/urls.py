"""Notifications service routes: /api/v1/notifications..., /healthz, /readyz.

There are no internal endpoints: everything this service knows arrives as events.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from shared import health

# Django's own error views (no route, a body too large, an uncaught error) answer in JSON
# too; Django reads them from this module by these names.
from shared.errors import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/", include("notifications.api.urls")),
    path("mastodon/", include("notifications.api.mastodon.urls")),
]
