"""/api/v1/follow-requests, /api/v1/follow-requests/{user_id}/accept and .../reject."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.follows import accept_follow_request, reject_follow_request
from authors.api.mixins import RememberCallerMixin
from relationships.api.lists import UserPageView
from relationships.models import FollowRequest
from relationships.selectors import follow_requests_to


class FollowRequestListView(UserPageView):
    """Who asks to follow the caller, newest request first."""

    permission_classes = [IsAuthenticated]
    shown = "requester_id"

    def rows(self, request: Request) -> QuerySet[FollowRequest]:
        return follow_requests_to(request.user.id)


class FollowRequestAcceptView(RememberCallerMixin, APIView):
    """The requester follows the caller from now on (404 without a pending request)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, user_id: int) -> Response:
        accept_follow_request(target_id=request.user.id, requester_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowRequestRejectView(RememberCallerMixin, APIView):
    """The request goes without a follow (404 without a pending request)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, user_id: int) -> Response:
        reject_follow_request(target_id=request.user.id, requester_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
