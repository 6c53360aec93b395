"""/api/v1/users/{id}/follow, /api/v1/users/{id}/followers and /api/v1/users/{id}/following."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.follows import follow_user, unfollow_user
from authors.api.mixins import RememberCallerMixin
from authors.api.serializers import UserSummarySerializer
from relationships.models import Follow
from shared.pagination import KeysetPagination
from social.api.serializers import FollowStateSerializer
from social.selectors import followed_by, followers_of


class UserFollowView(RememberCallerMixin, APIView):
    """POST follows the user (201 the first time, 200 after); DELETE unfollows (204 always)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: FollowStateSerializer, 200: FollowStateSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        created = follow_user(follower_id=request.user.id, followee_id=user_id)
        return Response(
            FollowStateSerializer({"following": True}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        unfollow_user(follower_id=request.user.id, followee_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowListView(APIView):
    """A page of follows shown as the users on one side of them, newest follow first."""

    pagination_class = KeysetPagination
    # The side of each follow the list shows.
    shown = "follower_id"

    def follows(self, user_id: int) -> QuerySet[Follow]:
        raise NotImplementedError

    @extend_schema(responses=UserSummarySerializer(many=True))
    def get(self, request: Request, user_id: int) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(self.follows(user_id), request, view=self)
        users = UserSummarySerializer([getattr(follow, self.shown) for follow in page], many=True)
        return paginator.get_paginated_response(users.data)


class UserFollowerListView(FollowListView):
    """Who follows the user."""

    shown = "follower_id"

    def follows(self, user_id: int) -> QuerySet[Follow]:
        return followers_of(user_id)


class UserFollowingListView(FollowListView):
    """Whom the user follows."""

    shown = "followee_id"

    def follows(self, user_id: int) -> QuerySet[Follow]:
        return followed_by(user_id)
