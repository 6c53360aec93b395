"""/api/v1/auth/...: sign-up, token pair, refresh with rotation, logout, password reset,
email verification and the confirmation of an email change."""

import ipaddress

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import DetailSerializer, PrivateProfileSerializer, TokenPairSerializer
from accounts.api.throttles import MAIL_THROTTLE_CLASSES
from accounts.models import NAME_MAX_LENGTH, USERNAME_MAX_LENGTH
from accounts.services import (
    Client,
    confirm_email_change,
    obtain_token_pair,
    request_password_reset,
    resend_email_verification,
    reset_password,
    revoke_refresh_token,
    rotate_refresh_token,
    sign_up,
    verify_email,
)
from shared.throttling.throttles import client_address

# Passwords are taken as typed: no trimming, so " secret" and "secret" stay different.
PASSWORD_MAX_LENGTH = 128


def request_client(request: Request) -> Client:
    """The user agent and address a session shows, from the request (behind the gateway)."""
    address = client_address(request)
    try:
        ip: str | None = str(ipaddress.ip_address(address))
    except ValueError:
        ip = None
    return Client(user_agent=request.headers.get("User-Agent", ""), ip=ip)


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
        tokens = obtain_token_pair(**data.validated_data, client=request_client(request))
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
        tokens = rotate_refresh_token(
            raw=data.validated_data["refresh"], client=request_client(request)
        )
        return Response(tokens, status=status.HTTP_200_OK)


class LogoutView(CredentialsView):
    throttle_scope = "token_refresh"

    @extend_schema(request=RefreshTokenSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = RefreshTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revoke_refresh_token(raw=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Password reset ------------------------------------------------------------------------

# Longer than any token or uid this service issues; longer input is simply not one of ours.
LINK_TOKEN_MAX_LENGTH = 1024


class PasswordResetView(PublicAuthView):
    """Mail a reset link to the address if an account has it; the answer is the same if not."""

    throttle_classes = MAIL_THROTTLE_CLASSES
    client_throttle_scope = "password_reset"
    recipient_throttle_scope = "password_reset_address"

    @extend_schema_serializer(component_name="PasswordResetRequest")
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @staticmethod
    def throttle_recipient(request: Request) -> str:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        return email if isinstance(email, str) else ""

    @extend_schema(request=InputSerializer, responses={202: DetailSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        request_password_reset(email=data.validated_data["email"])
        return Response(
            {"detail": "If an account has that address, a reset link is on its way to it."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PublicAuthView):
    @extend_schema_serializer(component_name="PasswordResetConfirm")
    class InputSerializer(serializers.Serializer):
        uid = serializers.CharField(max_length=LINK_TOKEN_MAX_LENGTH)
        token = serializers.CharField(max_length=LINK_TOKEN_MAX_LENGTH)
        new_password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reset_password(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Email verification and change ---------------------------------------------------------


@extend_schema_serializer(component_name="LinkToken")
class LinkTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=LINK_TOKEN_MAX_LENGTH)


class EmailVerifyView(PublicAuthView):
    @extend_schema(request=LinkTokenSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = LinkTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verify_email(token=data.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyResendView(APIView):
    """Mail a new verification link to the caller's address (nothing when it is verified)."""

    permission_classes = [IsAuthenticated]
    allow_unverified_email = True
    throttle_classes = MAIL_THROTTLE_CLASSES
    client_throttle_scope = "email_verification"
    recipient_throttle_scope = "email_verification_address"

    @staticmethod
    def throttle_recipient(request: Request) -> str:
        return request.user.email

    @extend_schema(request=None, responses={202: DetailSerializer})
    def post(self, request: Request) -> Response:
        resend_email_verification(user=request.user)
        return Response(
            {"detail": "Unless your address is verified already, a new link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class EmailConfirmView(PublicAuthView):
    """Follow an email change's confirmation link: the account moves to the new address."""

    @extend_schema(request=LinkTokenSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = LinkTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirm_email_change(token=data.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)
