"""/api/v1/posts/{id}/comments, /api/v1/comments/{id}, /api/v1/comments/{id}/replies and
/api/v1/comments/{id}/like."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.callers import viewer_id
from authors.api.mixins import RememberCallerMixin
from posts.api.fields import body_field
from posts.api.permissions import IsCommentOrPostAuthor
from posts.api.rendering import OrjsonRenderer, render_comments
from posts.api.serializers import CommentSerializer, LikeStateSerializer
from posts.selectors import (
    comment_row,
    comment_rows,
    get_comment,
    get_post_for_write,
    get_visible_comment,
)
from posts.services import add_comment, delete_comment, like_comment, unlike_comment
from shared.ids import IdField
from shared.pagination import KeysetPagination


class OldestFirstPagination(KeysetPagination):
    ordering = ("created_at", "id")


class PostCommentListView(RememberCallerMixin, APIView):
    """GET the post's top-level comments, oldest first; POST adds one (or a reply)."""

    pagination_class = OldestFirstPagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema_serializer(component_name="CommentCreate")
    class InputSerializer(serializers.Serializer):
        body = body_field()
        # A comment of the same post; a reply to a reply goes under its top-level comment.
        parent_id = IdField(required=False, allow_null=True, default=None)

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: Request, post_id: int) -> Response:
        # The hot read: one query per page (posts.selectors.comment_rows).
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: comment_rows(
                post_id=post_id, viewer_id=viewer_id(request), cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(render_comments(page))

    @extend_schema(request=InputSerializer, responses={201: CommentSerializer})
    def post(self, request: Request, post_id: int) -> Response:
        post = get_post_for_write(post_id, viewer_id=request.user.id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = add_comment(post=post, author_id=request.user.id, **data.validated_data)
        return Response(render_comments([comment_row(comment)])[0], status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    """DELETE by the comment's author or the post's author; its replies go with it."""

    permission_classes = [IsAuthenticated, IsCommentOrPostAuthor]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = get_comment(comment_id)
        self.check_object_permissions(request, comment)
        delete_comment(comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentReplyListView(APIView):
    """GET a comment's replies, oldest first."""

    pagination_class = OldestFirstPagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request: Request, comment_id: int) -> Response:
        # The hot read: one query per page, as for the post's comments.
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: comment_rows(
                parent_id=comment_id, viewer_id=viewer_id(request), cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(render_comments(page))


class CommentLikeView(RememberCallerMixin, APIView):
    """POST likes the comment (201 the first time, 200 after); DELETE unlikes it (204)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: LikeStateSerializer, 200: LikeStateSerializer})
    def post(self, request: Request, comment_id: int) -> Response:
        comment = get_visible_comment(comment_id, viewer_id=request.user.id)
        like_count, created = like_comment(user_id=request.user.id, comment=comment)
        return Response(
            LikeStateSerializer({"liked": True, "like_count": like_count}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = get_visible_comment(comment_id, viewer_id=request.user.id)
        unlike_comment(user_id=request.user.id, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
