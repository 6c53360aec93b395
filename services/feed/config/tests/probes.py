"""Views that exist only for these tests: they drive the shared middleware through cases the
real endpoints cannot produce on demand (a 5xx, an echo of uploaded bytes, a throttled GET).

Mounted beside the real routes by `@pytest.mark.urls("config.tests.probes")`.
"""

import hashlib
from collections import Counter

from django.urls import path
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as service_urlpatterns
from shared.errors import ServiceUnavailable

# How often each probe ran; tests reset it.
RUNS: Counter[str] = Counter()


class UploadEchoView(APIView):
    """Say what arrived: the form's `title` and a digest of every uploaded `images` file."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        RUNS["upload"] += 1
        files = [
            {"size": upload.size, "sha256": hashlib.sha256(upload.read()).hexdigest()}
            for upload in request.FILES.getlist("images")
        ]
        body = {"run": RUNS["upload"], "title": request.data.get("title"), "files": files}
        return Response(body, status=status.HTTP_201_CREATED)


class FailsOnceView(APIView):
    """503 on the first call, 201 afterwards."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        RUNS["fails-once"] += 1
        if RUNS["fails-once"] == 1:
            raise ServiceUnavailable()
        return Response({"run": RUNS["fails-once"]}, status=status.HTTP_201_CREATED)


class ResourceView(APIView):
    """PUT, PATCH and DELETE that count their runs."""

    permission_classes = [IsAuthenticated]

    def put(self, request: Request) -> Response:
        RUNS["put"] += 1
        return Response({"run": RUNS["put"]})

    def patch(self, request: Request) -> Response:
        RUNS["patch"] += 1
        return Response({"run": RUNS["patch"]})

    def delete(self, request: Request) -> Response:
        RUNS["delete"] += 1
        return Response(status=status.HTTP_204_NO_CONTENT, headers={"X-Run": str(RUNS["delete"])})


class ThrottledReadView(APIView):
    """A GET under the `probe` policy (its rate is set by each test)."""

    permission_classes = [AllowAny]
    throttle_scope = "probe"

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class SecretView(APIView):
    """A 201 that carries a secret, marked `Cache-Control: no-store` as credentials are."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        RUNS["secret"] += 1
        return Response(
            {"run": RUNS["secret"]},
            status=status.HTTP_201_CREATED,
            headers={"Cache-Control": "private, No-Store"},
        )


class BareThrottledView(APIView):
    """A 429 raised without saying how long to wait."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise Throttled()


urlpatterns = [
    *service_urlpatterns,
    path("api/v1/_probe/upload", UploadEchoView.as_view()),
    path("api/v1/_probe/fails-once", FailsOnceView.as_view()),
    path("api/v1/_probe/resource", ResourceView.as_view()),
    path("api/v1/_probe/throttled", ThrottledReadView.as_view()),
    path("api/v1/_probe/bare-429", BareThrottledView.as_view()),
    path("api/v1/_probe/secret", SecretView.as_view()),
]
