"""Users service routes: /api/v1/auth/..., /api/v1/users/..., /internal/v1/..., health, admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from shared import apidocs, health

# Django's own error views (no route, a body too large, an uncaught error) answer in JSON
# too; Django reads them from this module by these names.
from shared.errors import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", apidocs.swagger_ui, name="api-docs"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api.urls")),
    path("internal/v1/", include("accounts.api.internal_urls")),
    path("mastodon/", include("accounts.api.mastodon.urls")),
]
