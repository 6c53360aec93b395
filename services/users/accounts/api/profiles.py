"""/api/v1/users/...: the caller's own profile and public profiles."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import PrivateProfileSerializer


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(PrivateProfileSerializer(request.user, context={"request": request}).data)
