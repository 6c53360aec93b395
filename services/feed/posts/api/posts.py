"""/api/v1/posts and /api/v1/posts/{id}."""

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from posts.api.serializers import PostSerializer
from posts.selectors import get_post
from posts.services import create_post


class PostListView(APIView):
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        body = serializers.CharField(max_length=2200, required=False, allow_blank=True)

    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = create_post(author_id=request.user.id, **data.validated_data)
        post = get_post(post.id, viewer_id=request.user.id)
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


class PostDetailView(APIView):
    def get(self, request: Request, post_id: int) -> Response:
        viewer_id = request.user.id if request.user.is_authenticated else None
        return Response(PostSerializer(get_post(post_id, viewer_id=viewer_id)).data)
