"""/api/v1/posts/{id}/comments and /api/v1/comments/{id}."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.mixins import RememberCallerMixin
from posts.api.fields import body_field
from posts.api.permissions import IsCommentOrPostAuthor
from posts.api.serializers import CommentSerializer
from posts.models import Comment
from posts.selectors import ensure_post_exists, get_comment, get_post_for_write, post_comments
from posts.services import add_comment, delete_comment
from shared.pagination import KeysetPagination


class OldestFirstPagination(KeysetPagination):
    ordering = ("created_at", "id")


class PostCommentListView(RememberCallerMixin, generics.ListAPIView):
    """GET the post's comments, oldest first; POST adds one."""

    serializer_class = CommentSerializer
    pagination_class = OldestFirstPagination

    @extend_schema_serializer(component_name="CommentCreate")
    class InputSerializer(serializers.Serializer):
        body = body_field()

    def get_queryset(self) -> QuerySet[Comment]:
        ensure_post_exists(self.kwargs["post_id"])
        return post_comments(self.kwargs["post_id"])

    @extend_schema(request=InputSerializer, responses={201: CommentSerializer})
    def post(self, request: Request, post_id: int) -> Response:
        post = get_post_for_write(post_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = add_comment(post=post, author_id=request.user.id, **data.validated_data)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    """DELETE by the comment's author or the post's author."""

    permission_classes = [IsAuthenticated, IsCommentOrPostAuthor]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = get_comment(comment_id)
        self.check_object_permissions(request, comment)
        delete_comment(comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
