"""The one route of the bare reference, at the path the benchmark's gateway location forwards."""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BareView(APIView):
    """What the floor view returns, with nothing of the project's in front of it."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [path("_bench/bare", BareView.as_view())]
