"""/api/v1/auth/...: sign-up and tokens."""

from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.views import TokenObtainPairView

from accounts.api.serializers import PrivateProfileSerializer
from accounts.services import sign_up


class SignUpView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        username = serializers.CharField(max_length=30)
        password = serializers.CharField(max_length=128, write_only=True)
        name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = sign_up(**data.validated_data)
        body = PrivateProfileSerializer(user, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class AccessTokenSerializer(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):  # type: ignore[no-untyped-def]
        token = super().get_token(user)
        # The feed renders authors from this claim without calling the users service.
        token["username"] = user.username
        return token


class TokenView(TokenObtainPairView):
    serializer_class = AccessTokenSerializer
