"""/api/v1/posts/{id}/like and /api/v1/posts/{id}/likes."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.callers import viewer_id
from authors.api.mixins import RememberCallerMixin
from authors.api.serializers import UserSummarySerializer
from posts.api.serializers import LikeStateSerializer
from posts.selectors import (
    ensure_post_visible,
    get_post_for_write,
    post_likes,
    shown_like_count,
)
from posts.services import like_post, unlike_post
from shared.pagination import KeysetPagination


class PostLikeView(RememberCallerMixin, APIView):
    """POST likes the post (201 the first time, 200 after); DELETE unlikes it (204 always)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: LikeStateSerializer, 200: LikeStateSerializer})
    def post(self, request: Request, post_id: int) -> Response:
        post = get_post_for_write(post_id, viewer_id=request.user.id)
        like_count, created = like_post(user_id=request.user.id, post=post)
        shown = shown_like_count(post=post, like_count=like_count, viewer_id=request.user.id)
        return Response(
            LikeStateSerializer({"liked": True, "like_count": shown}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, post_id: int) -> Response:
        unlike_post(
            user_id=request.user.id, post=get_post_for_write(post_id, viewer_id=request.user.id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostLikerListView(APIView):
    """Who liked the post, as user summaries, newest like first."""

    pagination_class = KeysetPagination

    @extend_schema(responses=UserSummarySerializer(many=True))
    def get(self, request: Request, post_id: int) -> Response:
        viewer = viewer_id(request)
        ensure_post_visible(post_id, viewer_id=viewer)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            post_likes(post_id, viewer_id=viewer), request, view=self
        )
        likers = UserSummarySerializer([like.user_id for like in page], many=True)
        return paginator.get_paginated_response(likers.data)
