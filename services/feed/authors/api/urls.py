"""/internal/v1/...: endpoints for the users service only (never routed by the gateway)."""

urlpatterns: list = []
