"""The benchmark's "framework floor": what any feed request costs before doing any work.

Same middleware, same JWT authentication, same gateway route as the real endpoints; it returns a
constant object. Routed only when `BENCHMARK_ENDPOINTS` is on (`make bench` turns it on).
"""

from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class FloorView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})
