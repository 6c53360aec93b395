"""/api/v1/auth/...: sign-up, token pair, refresh with rotation, logout."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import PrivateProfileSerializer, TokenPairSerializer
from accounts.models import NAME_MAX_LENGTH, USERNAME_MAX_LENGTH
from accounts.services import (
    obtain_token_pair,
    revoke_refresh_token,
    rotate_refresh_token,
    sign_up,
)

# Passwords are taken as typed: no trimming, so " secret" and "secret" stay different.
PASSWORD_MAX_LENGTH = 128


class PublicAuthView(APIView):
    """Endpoints a client calls without an access token (a stale one must not get in the way)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        # Without authentication classes DRF would turn a rejected credential into a 403; the
        # contract answers wrong passwords and bad refresh tokens with 401.
        return 'Bearer realm="api"'


class CredentialsView(PublicAuthView):
    """An endpoint that issues or spends tokens: it runs every time and nothing keeps its answer.

    An `Idempotency-Key` is ignored (a replay would hand the tokens to whoever sends the key
    again, and a retried rotation must spend the token again), and the answer says
    `Cache-Control: no-store` to every cache on the way, the idempotency store included.
    """

    idempotency_exempt = True

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class SignUpView(PublicAuthView):
    throttle_scope = "signup"

    @extend_schema_serializer(component_name="SignUp")
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        username = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
        password = serializers.CharField(
            max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True
        )
        name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: PrivateProfileSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = sign_up(**data.validated_data)
        return Response(PrivateProfileSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(CredentialsView):
    throttle_scope = "token"

    @extend_schema_serializer(component_name="TokenObtain")
    class InputSerializer(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = obtain_token_pair(**data.validated_data, request=request._request)
        return Response(tokens, status=status.HTTP_200_OK)


class RefreshTokenSerializer(serializers.Serializer):
    # Any length: a token too long to be ours is an invalid token (401), not a malformed
    # request (accounts.services.TOKEN_MAX_LENGTH).
    refresh = serializers.CharField()


class TokenRefreshView(CredentialsView):
    throttle_scope = "token_refresh"

    @extend_schema(request=RefreshTokenSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = RefreshTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = rotate_refresh_token(raw=data.validated_data["refresh"])
        return Response(tokens, status=status.HTTP_200_OK)


class LogoutView(CredentialsView):
    throttle_scope = "token_refresh"

    @extend_schema(request=RefreshTokenSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = RefreshTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revoke_refresh_token(raw=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)
