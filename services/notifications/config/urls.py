"""Notifications service routes: /api/v1/notifications..., /healthz, /readyz.

There are no internal endpoints: everything this service knows arrives as events.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from shared import health

# Django's own error pages (no route, a body too large, an uncaught error) as JSON too.
handler400 = "shared.errors.json_bad_request"
handler403 = "shared.errors.json_permission_denied"
handler404 = "shared.errors.json_not_found"
handler500 = "shared.errors.json_server_error"

urlpatterns = [
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/", include("notifications.api.urls")),
]
