"""Users service routes: /api/v1/auth/..., /api/v1/users/..., /internal/v1/..., health."""

from django.contrib import admin
from django.urls import path

from accounts.api import auth, profiles
from shared import health
from shared.errors import JSON_ERROR_HANDLERS

globals().update(JSON_ERROR_HANDLERS)

urlpatterns = [
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("admin/", admin.site.urls),
    path("api/v1/auth/signup", auth.SignUpView.as_view(), name="signup"),
    path("api/v1/auth/token", auth.TokenView.as_view(), name="token"),
    path("api/v1/users/me", profiles.MeView.as_view(), name="me"),
]
