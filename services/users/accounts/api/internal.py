"""/internal/v1/...: user summaries and staff sign-in for the feed service, behind
INTERNAL_API_TOKEN."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.auth import PASSWORD_MAX_LENGTH, CredentialsView
from accounts.api.serializers import UserSummarySerializer
from accounts.models import username_validator
from accounts.selectors import get_user_summary, user_summaries, user_summaries_by_username
from accounts.services import Client, obtain_token_pair
from shared.ids import is_db_id
from shared.permissions import HasInternalToken

# The feed asks for at most this many users per call (see its authors.client).
MAX_IDS = 100


class InternalView(APIView):
    # The service credential is the only way in; end-user tokens mean nothing here.
    authentication_classes = []
    permission_classes = [HasInternalToken]


class InternalUserDetailView(InternalView):
    @extend_schema(responses={200: UserSummarySerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(UserSummarySerializer(get_user_summary(user_id=pk)).data)


class IdListField(serializers.CharField):
    """A comma-separated list of 1 to MAX_IDS positive 64-bit ids: `1,2,3`."""

    default_error_messages = {
        "invalid_ids": f"Give 1 to {MAX_IDS} comma-separated positive integer ids.",
    }

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=MAX_IDS * 21, **kwargs)

    def to_internal_value(self, data: object) -> list[int]:
        raw = super().to_internal_value(data)
        parts = [part.strip() for part in raw.split(",")]
        if not 1 <= len(parts) <= MAX_IDS or not all(
            part.isascii() and part.isdigit() for part in parts
        ):
            self.fail("invalid_ids")
        ids = [int(part) for part in parts]
        if not all(is_db_id(user_id) for user_id in ids):
            self.fail("invalid_ids")
        return ids


class InternalUserListView(InternalView):
    @extend_schema_serializer(component_name="InternalUserIdsQuery")
    class QuerySerializer(serializers.Serializer):
        ids = IdListField()

    @extend_schema(
        parameters=[QuerySerializer],
        responses={
            200: inline_serializer("UserSummaryList", {"results": UserSummarySerializer(many=True)})
        },
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        users = user_summaries(user_ids=query.validated_data["ids"])
        return Response({"results": UserSummarySerializer(users, many=True).data})


class UsernameListField(serializers.CharField):
    """A comma-separated list of 1 to MAX_IDS usernames (compared lower-case): `ann,bob`."""

    default_error_messages = {
        "invalid_usernames": f"Give 1 to {MAX_IDS} comma-separated usernames.",
    }

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=MAX_IDS * 31, **kwargs)

    def to_internal_value(self, data: object) -> list[str]:
        parts = [part.strip().lower() for part in super().to_internal_value(data).split(",")]
        if not 1 <= len(parts) <= MAX_IDS:
            self.fail("invalid_usernames")
        for part in parts:
            try:
                username_validator(part)
            except DjangoValidationError:
                self.fail("invalid_usernames")
        return parts


class InternalUserByUsernameListView(InternalView):
    @extend_schema_serializer(component_name="InternalUsernamesQuery")
    class QuerySerializer(serializers.Serializer):
        usernames = UsernameListField()

    @extend_schema(
        parameters=[QuerySerializer],
        responses={
            200: inline_serializer(
                "UserSummaryByUsernameList", {"results": UserSummarySerializer(many=True)}
            )
        },
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        users = user_summaries_by_username(usernames=query.validated_data["usernames"])
        return Response({"results": UserSummarySerializer(users, many=True).data})


class InternalStaffSignInView(InternalView, CredentialsView):
    """Sign-in to the feed's Django admin: the feed hands over the email and password a staff
    member typed, and gets the access token of a sign-in like `POST /api/v1/auth/token` (the
    same per-email limit, the same 401; the session shows in their list with the feed's user
    agent). The feed checks `is_staff` in it and keeps its admin session no longer than it."""

    authentication_classes = []
    permission_classes = [HasInternalToken]

    @extend_schema_serializer(component_name="InternalStaffSignIn")
    class InputSerializer(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("StaffAccess", {"access": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = Client(user_agent=request.headers.get("User-Agent", ""), ip=None)
        tokens = obtain_token_pair(**data.validated_data, client=client)
        return Response({"access": tokens["access"]})
