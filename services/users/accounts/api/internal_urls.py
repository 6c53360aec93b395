"""/internal/v1/...: endpoints for the feed service only (never routed by the gateway)."""

urlpatterns: list = []
