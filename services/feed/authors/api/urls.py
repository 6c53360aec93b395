"""/internal/v1/...: endpoints for the users service only (never routed by the gateway)."""

from django.urls import path

from authors.api.events import AccountEventView

urlpatterns = [
    path("events", AccountEventView.as_view(), name="account-events"),
]
