"""Service-to-service credential for `/internal/v1/...` endpoints."""

import hmac

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

INTERNAL_TOKEN_HEADER = "X-Internal-Token"  # noqa: S105 - a header name


class HasInternalToken(BasePermission):
    """Allow only callers presenting `INTERNAL_API_TOKEN` in the `X-Internal-Token` header."""

    message = "A valid internal service token is required."

    def has_permission(self, request: Request, view: APIView) -> bool:
        presented = request.headers.get(INTERNAL_TOKEN_HEADER, "")
        expected = settings.INTERNAL_API_TOKEN
        # Constant-time comparison: the token is a shared secret.
        return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())
