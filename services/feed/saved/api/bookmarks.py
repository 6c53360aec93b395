"""/api/v1/posts/{id}/bookmark and /api/v1/bookmarks."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.mixins import RememberCallerMixin
from posts.api.pagination import PositionedPagination
from posts.api.rendering import OrjsonRenderer, render_posts
from posts.api.serializers import PostSerializer
from posts.services import bookmark_post
from saved.api.serializers import BookmarkStateSerializer
from saved.selectors import bookmark_rows, visible_post
from saved.services import remove_bookmark


class PostBookmarkView(RememberCallerMixin, APIView):
    """POST bookmarks the post (201 the first time, 200 after); DELETE removes the bookmark
    and takes the post out of the caller's collections (204 whether there was one or not)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={201: BookmarkStateSerializer, 200: BookmarkStateSerializer}
    )
    def post(self, request: Request, post_id: int) -> Response:
        post = visible_post(post_id, viewer_id=request.user.id)
        created = bookmark_post(user_id=request.user.id, post=post)
        return Response(
            BookmarkStateSerializer({"bookmarked": True}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, post_id: int) -> Response:
        post = visible_post(post_id, viewer_id=request.user.id)
        remove_bookmark(user_id=request.user.id, post_id=post.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookmarkListView(APIView):
    """The caller's bookmarked posts, newest bookmark first, keyset-paginated."""

    permission_classes = [IsAuthenticated]
    pagination_class = PositionedPagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema(responses=PostSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: bookmark_rows(
                viewer_id=request.user.id, cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(render_posts(page))
