"""Feed service routes: /api/v1/..., /admin/feed/ (the staff's admin), /healthz, /readyz.

Each app's `api/urls.py` lists its own paths under /api/v1/. Account events arrive over the
broker (`config.events`), not over HTTP.
"""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from moderation.admin import site as admin_site
from shared import health

# Django's own error views (no route, a body too large, an uncaught error) answer in JSON
# too; Django reads them from this module by these names.
from shared.errors import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("admin/feed/", admin_site.urls),
    path("api/v1/", include("posts.api.urls")),
    path("api/v1/", include("social.api.urls")),
    path("api/v1/", include("relationships.api.urls")),
    path("api/v1/", include("timeline.api.urls")),
    path("api/v1/", include("saved.api.urls")),
    path("api/v1/", include("moderation.api.urls")),
    path("api/v1/", include("discovery.api.urls")),
    path("mastodon/", include("mastodon_api.api.urls")),
]

if settings.BENCHMARK_ENDPOINTS:
    from benchmark.views import FloorView

    urlpatterns.append(path("api/v1/feed/_floor", FloorView.as_view()))
