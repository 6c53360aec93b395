"""/mastodon/api/v1|v2/instance, /mastodon/api/v1/apps, /mastodon/oauth/token|revoke.

Sign-in for Mastodon clients on the project's own sessions: an app registers, the password
grant (the email as `username`) signs in through the same password check and per-email limit as
`POST /api/v1/auth/token` and starts a session whose one access token is long-lived; revoking it
ends the session, which ends the token on every service (docs/mastodon.md).
"""

import time
from typing import Any

from django.conf import settings
from django.core import signing
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.auth import PASSWORD_MAX_LENGTH, request_client
from accounts.models import ClientApp, User
from accounts.services import authenticate_app, obtain_app_token, register_app, revoke_app_token
from shared.mastodon import ENTITY, MastodonView, mastodon_version

# The post limits clients show in their composer, as the feed enforces them.
MAX_CHARACTERS = 2200
MAX_MEDIA_ATTACHMENTS = 10
IMAGE_SIZE_LIMIT = 10 * 1024 * 1024
IMAGE_MIME_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]
SCOPES = ("read", "write", "follow", "push")
_APP_TOKEN_SALT = "accounts.mastodon.app-token"  # noqa: S105 - a salt, not a secret


class PublicMastodonView(MastodonView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def _domain(request: Request) -> str:
    return request.get_host()


def _configuration() -> dict[str, Any]:
    return {
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": MAX_MEDIA_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_MIME_TYPES,
            "image_size_limit": IMAGE_SIZE_LIMIT,
            "image_matrix_limit": 16777216,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
    }


def _version() -> str:
    return mastodon_version(settings.PROJECT_VERSION)


class InstanceV1View(PublicMastodonView):
    """Mastodon's V1::Instance: what clients read before signing in."""

    @extend_schema(responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request: Request) -> Response:
        domain = _domain(request)
        return Response(
            {
                "uri": domain,
                "title": settings.INSTANCE_TITLE,
                "short_description": settings.INSTANCE_DESCRIPTION,
                "description": settings.INSTANCE_DESCRIPTION,
                "email": settings.INSTANCE_CONTACT_EMAIL,
                "version": _version(),
                "urls": {"streaming_api": ""},
                "stats": {
                    "user_count": User.objects.filter(is_active=True).count(),
                    "status_count": 0,
                    "domain_count": 0,
                },
                "thumbnail": None,
                "languages": ["en"],
                "registrations": False,
                "approval_required": False,
                "invites_enabled": False,
                "configuration": _configuration(),
                "contact_account": None,
                "rules": [],
            }
        )


class InstanceV2View(PublicMastodonView):
    """Mastodon's Instance (v2)."""

    @extend_schema(responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request: Request) -> Response:
        configuration = _configuration()
        configuration["urls"] = {"streaming": None}
        configuration["translation"] = {"enabled": False}
        configuration["vapid"] = {"public_key": ""}
        return Response(
            {
                "domain": _domain(request),
                "title": settings.INSTANCE_TITLE,
                "version": _version(),
                "source_url": settings.INSTANCE_SOURCE_URL,
                "description": settings.INSTANCE_DESCRIPTION,
                "usage": {"users": {"active_month": 0}},
                "thumbnail": {"url": ""},
                "icon": [],
                "languages": ["en"],
                "configuration": configuration,
                "registrations": {"enabled": False, "approval_required": False, "message": None},
                "api_versions": {"mastodon": 2},
                "contact": {"email": settings.INSTANCE_CONTACT_EMAIL, "account": None},
                "rules": [],
            }
        )


def _app_body(app: ClientApp, *, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(app.pk),
        "name": app.name,
        "website": app.website or None,
        "scopes": app.scopes.split(),
        "redirect_uri": app.redirect_uris,
        "redirect_uris": app.redirect_uris.split(),
        "client_id": app.client_id,
        "vapid_key": "",
    }
    if secret is not None:
        body["client_secret"] = secret
        body["client_secret_expires_at"] = 0
    return body


def _scopes(raw: Any) -> str:
    words = str(raw or "read").split()
    unknown = [word for word in words if word.split(":")[0] not in SCOPES]
    if unknown:
        raise ValidationError({"scopes": [f"Unknown scope: {unknown[0]}"]})
    return " ".join(dict.fromkeys(words))


class AppListView(PublicMastodonView):
    """Register a client application: its `client_id` and `client_secret`."""

    throttle_scope = "signup"
    # A replay would hand the secret to whoever sends the key again.
    idempotency_exempt = True

    @extend_schema_serializer(component_name="MastodonAppCreate")
    class InputSerializer(serializers.Serializer):
        client_name = serializers.CharField(max_length=ClientApp.NAME_MAX_LENGTH)
        redirect_uris = serializers.CharField(
            max_length=2000, required=False, default="urn:ietf:wg:oauth:2.0:oob"
        )
        scopes = serializers.CharField(max_length=200, required=False, default="read")
        website = serializers.CharField(
            max_length=200, required=False, allow_blank=True, allow_null=True, default=""
        )

    @extend_schema(request=InputSerializer, responses={200: ENTITY}, tags=["mastodon"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        app, secret = register_app(
            name=values["client_name"],
            redirect_uris=values["redirect_uris"],
            scopes=_scopes(values["scopes"]),
            website=values["website"] or "",
        )
        return Response(_app_body(app, secret=secret))


def _oauth_error(code: str, description: str, status_code: int) -> Response:
    """RFC 6749's error body: `{"error": code, "error_description": ...}`."""
    return Response({"error": code, "error_description": description}, status=status_code)


class OAuthTokenView(PublicMastodonView):
    """The password grant (`username` is the email) and `client_credentials`."""

    throttle_scope = "token"
    idempotency_exempt = True

    @extend_schema_serializer(component_name="MastodonTokenRequest")
    class InputSerializer(serializers.Serializer):
        grant_type = serializers.CharField(max_length=64)
        client_id = serializers.CharField(max_length=200)
        client_secret = serializers.CharField(max_length=200)
        username = serializers.CharField(max_length=254, required=False)
        password = serializers.CharField(
            max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, required=False
        )
        scope = serializers.CharField(max_length=200, required=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "MastodonToken",
                {
                    "access_token": serializers.CharField(),
                    "token_type": serializers.CharField(),
                    "scope": serializers.CharField(),
                    "created_at": serializers.IntegerField(),
                },
            )
        },
        tags=["mastodon"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            app = authenticate_app(
                client_id=values["client_id"], client_secret=values["client_secret"]
            )
        except AuthenticationFailed as exc:
            return _oauth_error("invalid_client", str(exc.detail), status.HTTP_401_UNAUTHORIZED)
        scope = _scopes(values.get("scope") or app.scopes)
        grant = values["grant_type"]
        if grant == "password":
            if "username" not in values or "password" not in values:
                return _oauth_error("invalid_request", "username and password are required.", 400)
            try:
                token = obtain_app_token(
                    app=app,
                    email=values["username"],
                    password=values["password"],
                    client=request_client(request),
                )
            except AuthenticationFailed as exc:
                return _oauth_error("invalid_grant", str(exc.detail), 400)
            raw, created_at = str(token), token["iat"]
        elif grant == "client_credentials":
            # An app-only token: it names the app, no account, and signs in to nothing.
            created_at = int(time.time())
            raw = "app." + signing.dumps({"app": app.pk}, salt=_APP_TOKEN_SALT)
        else:
            return _oauth_error(
                "unsupported_grant_type", "Only password and client_credentials.", 400
            )
        response = Response(
            {"access_token": raw, "token_type": "Bearer", "scope": scope, "created_at": created_at}
        )
        response["Cache-Control"] = "no-store"
        return response


class OAuthRevokeView(PublicMastodonView):
    """Revoke a token the app was issued: its session ends, everywhere (RFC 7009: `{}`)."""

    throttle_scope = "token_refresh"
    idempotency_exempt = True

    @extend_schema_serializer(component_name="MastodonRevokeRequest")
    class InputSerializer(serializers.Serializer):
        client_id = serializers.CharField(max_length=200)
        client_secret = serializers.CharField(max_length=200)
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: ENTITY}, tags=["mastodon"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            app = authenticate_app(
                client_id=values["client_id"], client_secret=values["client_secret"]
            )
        except AuthenticationFailed as exc:
            return _oauth_error("invalid_client", str(exc.detail), status.HTTP_401_UNAUTHORIZED)
        revoke_app_token(app=app, raw=values["token"])
        return Response({})
