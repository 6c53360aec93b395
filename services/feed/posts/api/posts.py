"""/api/v1/posts (search, create), /api/v1/posts/{id} and /api/v1/users/{id}/posts."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.posts import create_post, delete_post
from authors.api.callers import viewer_id
from authors.api.mixins import RememberCallerMixin
from posts.api.fields import (
    AltTextsField,
    ControlField,
    ImagesField,
    alt_text_field,
    body_field,
    title_field,
)
from posts.api.pagination import PositionedPagination
from posts.api.permissions import IsAuthorOrReadOnly
from posts.api.rendering import OrjsonRenderer, render_post, render_posts
from posts.api.serializers import PostImageSerializer, PostSerializer
from posts.models import Post
from posts.selectors import (
    SEARCH_MAX_LENGTH,
    get_post_for_write,
    get_post_row,
    search_post_rows,
    user_post_rows,
)
from posts.services import describe_image, update_post
from shared.pagination import KeysetPagination


class SearchPagination(PositionedPagination):
    ordering = ("-score", "-id")


class PostListView(RememberCallerMixin, APIView):
    """GET: search posts (`?search=`), best match first; POST: create a post from JSON, or
    from multipart with up to 10 `images`."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    renderer_classes = [OrjsonRenderer]
    pagination_class = SearchPagination

    class SearchSerializer(serializers.Serializer):
        search = serializers.CharField(max_length=SEARCH_MAX_LENGTH)

    @extend_schema(parameters=[SearchSerializer], responses=PostSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = self.SearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: search_post_rows(
                query.validated_data["search"],
                viewer_id=viewer_id(request),
                cursor=cursor,
                limit=limit,
            ),
        )
        return paginator.get_paginated_response(render_posts(page))

    @extend_schema_serializer(component_name="PostCreate")
    class InputSerializer(serializers.Serializer):
        title = title_field(required=False, default="")
        body = body_field(required=False, default="", allow_blank=True)
        images = ImagesField(required=False, default=list)
        # In the order of `images`.
        alt_text = AltTextsField(required=False, default=list)
        comments_disabled = ControlField(required=False, default=False)
        hide_like_count = ControlField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={201: PostSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        post = create_post(author_id=request.user.id, alt_texts=fields.pop("alt_text"), **fields)
        return Response(
            render_post(get_post_row(post.pk, viewer_id=request.user.id)),
            status=status.HTTP_201_CREATED,
        )


class PostDetailView(RememberCallerMixin, APIView):
    """GET anyone; PUT (title and body), PATCH (either) and DELETE by the author only."""

    permission_classes = [IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    renderer_classes = [OrjsonRenderer]

    @extend_schema_serializer(component_name="PostEdit")
    class InputSerializer(serializers.Serializer):
        title = title_field()
        body = body_field(allow_blank=True)
        # Optional even for PUT: left out, a switch stays as it is.
        comments_disabled = ControlField(required=False)
        hide_like_count = ControlField(required=False)

    def _post_for_write(self, request: Request, post_id: int) -> Post:
        # The bare row: PUT, PATCH and DELETE need only its author here (the services lock
        # and read it again, and an update renders the post afresh afterwards).
        post = get_post_for_write(post_id, viewer_id=request.user.id)
        self.check_object_permissions(request, post)
        return post

    @extend_schema(responses={200: PostSerializer})
    def get(self, request: Request, post_id: int) -> Response:
        # The hot read: one query, two for a post not rendered since its last edit (see
        # posts.api.rendering).
        post = get_post_row(post_id, viewer_id=viewer_id(request))
        self.check_object_permissions(request, post)
        return Response(render_post(post))

    @extend_schema(request=InputSerializer, responses={200: PostSerializer})
    def put(self, request: Request, post_id: int) -> Response:
        return self._edit(request, post_id, partial=False)

    @extend_schema(request=InputSerializer, responses={200: PostSerializer})
    def patch(self, request: Request, post_id: int) -> Response:
        return self._edit(request, post_id, partial=True)

    def _edit(self, request: Request, post_id: int, *, partial: bool) -> Response:
        post = self._post_for_write(request, post_id)
        data = self.InputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        update_post(post=post, **data.validated_data)
        return Response(render_post(get_post_row(post.pk, viewer_id=request.user.id)))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, post_id: int) -> Response:
        delete_post(post=self._post_for_write(request, post_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserPostListView(APIView):
    """A user's posts, newest first, cursor-paginated on (created_at, id)."""

    pagination_class = KeysetPagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema(responses=PostSerializer(many=True))
    def get(self, request: Request, user_id: int) -> Response:
        # The hot read: one query per page, two when some posts are not rendered yet (see
        # posts.api.rendering).
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: user_post_rows(
                user_id, viewer_id=viewer_id(request), cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(render_posts(page))


class PostImageDetailView(RememberCallerMixin, APIView):
    """PATCH an image's `alt_text`, by the post's author only."""

    permission_classes = [IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]

    @extend_schema_serializer(component_name="PostImageEdit")
    class InputSerializer(serializers.Serializer):
        alt_text = alt_text_field()

    @extend_schema(request=InputSerializer, responses={200: PostImageSerializer})
    def patch(self, request: Request, post_id: int, image_id: int) -> Response:
        post = get_post_for_write(post_id, viewer_id=request.user.id)
        self.check_object_permissions(request, post)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        image = describe_image(post=post, image_id=image_id, **data.validated_data)
        return Response(PostImageSerializer(image).data)
