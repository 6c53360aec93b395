"""/api/v1/users/{id}/block and /api/v1/blocks."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.follows import block_user, unblock_user
from authors.api.mixins import RememberCallerMixin
from relationships.api.lists import UserPageView
from relationships.api.serializers import BlockStateSerializer
from relationships.models import Block
from relationships.selectors import blocks_by


class UserBlockView(RememberCallerMixin, APIView):
    """POST blocks the user (201 the first time, 200 after); DELETE unblocks (204 always)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: BlockStateSerializer, 200: BlockStateSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        created = block_user(blocker_id=request.user.id, blocked_id=user_id)
        return Response(
            BlockStateSerializer({"blocking": True}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        unblock_user(blocker_id=request.user.id, blocked_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockListView(UserPageView):
    """The users the caller blocks, newest block first."""

    permission_classes = [IsAuthenticated]
    shown = "blocked_id"

    def rows(self, request: Request) -> QuerySet[Block]:
        return blocks_by(request.user.id)
