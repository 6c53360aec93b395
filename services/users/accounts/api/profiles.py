"""/api/v1/users/...: the caller's own profile, password, email, sessions and avatar; public
profiles; search."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.auth import PASSWORD_MAX_LENGTH
from accounts.api.serializers import (
    DetailSerializer,
    PrivateProfileSerializer,
    PublicProfileSerializer,
    SessionSerializer,
)
from accounts.models import (
    BIO_MAX_LENGTH,
    NAME_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    WEBSITE_MAX_LENGTH,
    Session,
    User,
)
from accounts.selectors import (
    get_public_user,
    get_public_user_by_username,
    list_sessions,
    search_users,
)
from accounts.services import (
    change_password,
    delete_account,
    end_session,
    remove_avatar,
    request_email_change,
    set_avatar,
    update_profile,
)
from shared.pagination import KeysetPagination


def viewer_id(request: Request) -> int | None:
    """Who is looking at public profiles: the caller's id, or None without a token."""
    return request.user.pk if request.user.is_authenticated else None


class MeView(APIView):
    """The caller's private profile. PUT replaces every editable field, PATCH some of them."""

    permission_classes = [IsAuthenticated]

    @staticmethod
    def publishes_account_events(request: Request) -> bool:
        # Only the username of these fields is replicated (`user.updated`).
        return request.method in ("PUT", "PATCH") and "username" in request.data

    @extend_schema_serializer(component_name="ProfileEdit")
    class InputSerializer(serializers.Serializer):
        # Only these can change here: `email`, `password`, `is_staff` and the like are not
        # fields of this serializer, so sending them has no effect.
        username = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
        name = serializers.CharField(max_length=NAME_MAX_LENGTH, allow_blank=True)
        bio = serializers.CharField(max_length=BIO_MAX_LENGTH, allow_blank=True)
        website = serializers.URLField(max_length=WEBSITE_MAX_LENGTH, allow_blank=True)
        # Optional even for PUT: a PUT without it leaves it as it is.
        is_private = serializers.BooleanField(required=False)

    @extend_schema_serializer(component_name="AccountDelete")
    class DeleteSerializer(serializers.Serializer):
        password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)

    @property
    def throttle_scope(self) -> str | None:
        # DELETE checks the password, like PasswordView: bound the guessing rate.
        return "password" if self.request.method == "DELETE" else None

    @property
    def allow_unverified_email(self) -> bool:
        # REQUIRE_VERIFIED_EMAIL never keeps anyone from deleting their account.
        return self.request.method == "DELETE"

    @extend_schema(responses={200: PrivateProfileSerializer})
    def get(self, request: Request) -> Response:
        return Response(PrivateProfileSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses={200: PrivateProfileSerializer})
    def put(self, request: Request) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=InputSerializer, responses={200: PrivateProfileSerializer})
    def patch(self, request: Request) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=DeleteSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        data = self.DeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delete_account(user=request.user, password=data.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, *, partial: bool) -> Response:
        data = self.InputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        user = update_profile(user=request.user, changes=dict(data.validated_data))
        return Response(PrivateProfileSerializer(user).data)


class PasswordView(APIView):
    permission_classes = [IsAuthenticated]
    allow_unverified_email = True
    # Each call checks a password: bound how fast a stolen access token can guess it.
    throttle_scope = "password"

    @extend_schema_serializer(component_name="PasswordChange")
    class InputSerializer(serializers.Serializer):
        old_password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)
        new_password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change_password(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailChangeView(APIView):
    """Ask to move the account to another address; a confirmation link goes to that address."""

    permission_classes = [IsAuthenticated]
    # An unverified account may well need this: to fix a mistyped address.
    allow_unverified_email = True
    throttle_scope = "password"

    @extend_schema_serializer(component_name="EmailChange")
    class InputSerializer(serializers.Serializer):
        new_email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={202: DetailSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        request_email_change(user=request.user, **data.validated_data)
        return Response(
            {"detail": "A confirmation link is on its way to the new address."},
            status=status.HTTP_202_ACCEPTED,
        )


class NewestSessionsPagination(KeysetPagination):
    # Newest sign-in first; served by the `accounts_session_user` index.
    ordering = ("-created_at", "-id")


class SessionListView(generics.ListAPIView):
    """The caller's sign-ins that have not ended, newest first; `current` marks this one."""

    permission_classes = [IsAuthenticated]
    serializer_class = SessionSerializer
    pagination_class = NewestSessionsPagination

    def get_queryset(self) -> QuerySet[Session]:
        return list_sessions(user=self.request.user)

    def get_serializer_context(self) -> dict[str, object]:
        token = self.request.auth
        return {
            **super().get_serializer_context(),
            "current_session_id": token.get("sid") if token is not None else None,
        }


class SessionDetailView(APIView):
    permission_classes = [IsAuthenticated]
    # Ending a sign-in that may be a thief's is never refused.
    allow_unverified_email = True

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        end_session(user=request.user, session_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvatarView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @staticmethod
    def publishes_account_events(request: Request) -> bool:
        return request.method in ("PUT", "DELETE")

    @extend_schema_serializer(component_name="AvatarUpload")
    class InputSerializer(serializers.Serializer):
        avatar = serializers.FileField(allow_empty_file=False, max_length=255)

    @extend_schema(request=InputSerializer, responses={200: PrivateProfileSerializer})
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = set_avatar(user=request.user, upload=data.validated_data["avatar"])
        return Response(PrivateProfileSerializer(user).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        remove_avatar(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicProfileSerializer})
    def get(self, request: Request, pk: int) -> Response:
        user = get_public_user(user_id=pk, viewer_id=viewer_id(request))
        return Response(PublicProfileSerializer(user).data)


class UserLookupView(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="UserLookupQuery")
    class QuerySerializer(serializers.Serializer):
        # Any length: a name longer than a username can be is no such user (404), as the
        # contract says, not a malformed request.
        username = serializers.CharField()

    @extend_schema(parameters=[QuerySerializer], responses={200: PublicProfileSerializer})
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = get_public_user_by_username(
            username=query.validated_data["username"], viewer_id=viewer_id(request)
        )
        return Response(PublicProfileSerializer(user).data)


class NewestUsersPagination(KeysetPagination):
    # Newest accounts first, like every list of the contract; (date_joined, id) is unique and
    # served by the `accounts_user_joined` index.
    ordering = ("-date_joined", "-id")


class UserListView(generics.ListAPIView):
    """`?search=Q`: users whose username or name starts with Q, any case, newest first.

    Without `search` (or with a blank one) every active user is listed, newest first.
    """

    permission_classes = [AllowAny]
    serializer_class = PublicProfileSerializer
    pagination_class = NewestUsersPagination

    @extend_schema_serializer(component_name="UserSearchQuery")
    class QuerySerializer(serializers.Serializer):
        # Any length: a prefix longer than any username or name matches nobody (an empty page).
        search = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", description="Prefix of a username or name, any letter case.")
        ]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[User]:
        query = self.QuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return search_users(
            query=query.validated_data.get("search", ""), viewer_id=viewer_id(self.request)
        )
