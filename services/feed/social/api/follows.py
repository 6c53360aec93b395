"""/api/v1/users/{id}/follow, /api/v1/users/{id}/followers and /api/v1/users/{id}/following."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.follows import FollowOutcome, follow_user, unfollow_user
from authors.api.callers import viewer_id
from authors.api.mixins import RememberCallerMixin
from relationships.api.lists import UserPageView
from relationships.models import Follow
from relationships.visibility import explain_empty_list
from social.api.serializers import FollowRequestedSerializer, FollowStateSerializer
from social.selectors import followed_by, followers_of


class UserFollowView(RememberCallerMixin, APIView):
    """POST follows the user (201 the first time, 200 after), or asks to when the account is
    private (202 while the request is pending); DELETE unfollows or withdraws (204 always)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: FollowStateSerializer,
            200: FollowStateSerializer,
            202: FollowRequestedSerializer,
        },
    )
    def post(self, request: Request, user_id: int) -> Response:
        outcome = follow_user(follower_id=request.user.id, followee_id=user_id)
        if outcome in (FollowOutcome.REQUESTED, FollowOutcome.ALREADY_REQUESTED):
            body = FollowRequestedSerializer({"following": False, "requested": True}).data
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(
            FollowStateSerializer({"following": True}).data,
            status=(
                status.HTTP_201_CREATED if outcome is FollowOutcome.FOLLOWED else status.HTTP_200_OK
            ),
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        unfollow_user(follower_id=request.user.id, followee_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowListView(UserPageView):
    """A page of a user's follows, newest first: 403 for a private account's non-follower,
    empty for a viewer in a block with the user, and without the users in a block with the
    viewer."""

    def explain_empty(self, request: Request, user_id: int) -> None:
        explain_empty_list(owner_id=user_id, viewer_id=viewer_id(request))


class UserFollowerListView(FollowListView):
    """Who follows the user."""

    shown = "follower_id"

    def rows(self, request: Request, user_id: int) -> QuerySet[Follow]:
        return followers_of(user_id, viewer_id=viewer_id(request))


class UserFollowingListView(FollowListView):
    """Whom the user follows."""

    shown = "followee_id"

    def rows(self, request: Request, user_id: int) -> QuerySet[Follow]:
        return followed_by(user_id, viewer_id=viewer_id(request))
