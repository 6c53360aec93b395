"""/api/v1/users/{id}/mute and /api/v1/mutes."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.mixins import RememberCallerMixin
from relationships.api.lists import UserPageView
from relationships.api.serializers import MuteStateSerializer
from relationships.models import Mute
from relationships.selectors import mutes_by
from relationships.services import mute_user, unmute_user


class UserMuteView(RememberCallerMixin, APIView):
    """POST mutes the user (201 the first time, 200 after); DELETE unmutes (204 always)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: MuteStateSerializer, 200: MuteStateSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        created = mute_user(muter_id=request.user.id, muted_id=user_id)
        return Response(
            MuteStateSerializer({"muting": True}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        unmute_user(muter_id=request.user.id, muted_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MuteListView(UserPageView):
    """The users the caller mutes, newest mute first."""

    permission_classes = [IsAuthenticated]
    shown = "muted_id"

    def rows(self, request: Request) -> QuerySet[Mute]:
        return mutes_by(request.user.id)
