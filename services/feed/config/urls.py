"""Feed service routes: /api/v1/..., /internal/v1/..., /healthz, /readyz.

Each app's `api/urls.py` lists its own paths under /api/v1/ (or /internal/v1/ for authors).
"""

from django.conf import settings
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
    path("api/v1/", include("posts.api.urls")),
    path("api/v1/", include("social.api.urls")),
    path("api/v1/", include("timeline.api.urls")),
    path("internal/v1/", include("authors.api.urls")),
]

if settings.BENCHMARK_ENDPOINTS:
    from benchmark.views import FloorView

    urlpatterns.append(path("api/v1/feed/_floor", FloorView.as_view()))
