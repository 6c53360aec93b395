"""/api/v1/notifications, .../unread_count, .../read and .../settings."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api.serializers import (
    NotificationGroupSerializer,
    NotificationSerializer,
    NotificationSettingsSerializer,
    UnreadCountSerializer,
)
from notifications.models import NotificationType
from notifications.selectors import grouped_page, notification_queryset, settings_of, unread_count
from notifications.services import mark_read, update_settings
from shared.ids import IdField
from shared.pagination import KeysetPagination


class NewestFirst(KeysetPagination):
    # Ids grow as notifications arrive: the first page's first id is what `read` may take as
    # `up_to_id` to mark everything the reader saw.
    ordering = ("-id",)


class TypesField(serializers.CharField):
    """`like,comment`: a comma-separated list of notification types."""

    def to_internal_value(self, data: Any) -> list[NotificationType]:
        names = [name.strip() for name in super().to_internal_value(data).split(",")]
        unknown = sorted({name for name in names if name not in NotificationType.values})
        if unknown:
            raise serializers.ValidationError(f"Unknown notification types: {', '.join(unknown)}.")
        return [NotificationType(name) for name in dict.fromkeys(names)]


class ListQuerySerializer(serializers.Serializer):
    types = TypesField(required=False, max_length=200)
    grouped = serializers.BooleanField(required=False, default=False)


class NotificationListView(generics.GenericAPIView):
    """The caller's notifications, newest first; `?grouped=true` folds them into groups."""

    pagination_class = NewestFirst
    serializer_class = NotificationSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "types", str, description="Only these types, comma-separated: `like,comment`."
            ),
            OpenApiParameter(
                "grouped",
                bool,
                description="Groups instead of single notifications: likes of one post, likes "
                "of one comment, follows of one UTC day (the newest three actors, a count).",
            ),
        ],
        responses=PolymorphicProxySerializer(
            component_name="NotificationOrGroup",
            serializers=[NotificationSerializer, NotificationGroupSerializer],
            resource_type_field_name=None,
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        query = ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        types = query.validated_data.get("types", [])
        user_id = request.user.id
        if query.validated_data["grouped"]:
            page = self.paginator.paginate(
                request,
                lambda cursor, limit: grouped_page(
                    recipient_id=user_id, cursor=cursor, limit=limit, types=types
                ),
            )
            data = NotificationGroupSerializer(page, many=True).data
        else:
            page = self.paginate_queryset(notification_queryset(recipient_id=user_id, types=types))
            data = NotificationSerializer(page, many=True).data
        return self.get_paginated_response(data)


class UnreadCountView(APIView):
    """How many of the caller's notifications are unread."""

    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request: Request) -> Response:
        return Response(
            UnreadCountSerializer({"count": unread_count(recipient_id=request.user.id)}).data
        )


class MarkReadView(APIView):
    """Marks every notification read, or every one with `id <= up_to_id`."""

    class InputSerializer(serializers.Serializer):
        up_to_id = IdField(required=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        mark_read(user_id=request.user.id, up_to_id=given.validated_data.get("up_to_id"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationSettingsView(APIView):
    """GET the caller's per-type switches; PATCH any subset of them."""

    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(NotificationSettingsSerializer(settings_of(user_id=request.user.id)).data)

    @extend_schema(request=NotificationSettingsSerializer, responses=NotificationSettingsSerializer)
    def patch(self, request: Request) -> Response:
        given = NotificationSettingsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        chosen = update_settings(user_id=request.user.id, changes=given.validated_data)
        return Response(NotificationSettingsSerializer(chosen).data)
