"""/api/v1/collections, /api/v1/collections/{id} and /api/v1/collections/{id}/posts[/{post_id}].

Every lookup of a collection is the caller's own (`saved.selectors.get_collection`): another
user's collection is a 404, as if it did not exist.
"""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.mixins import RememberCallerMixin
from posts.api.pagination import PositionedPagination
from posts.api.rendering import OrjsonRenderer, render_posts
from posts.api.serializers import PostSerializer
from saved.api.serializers import CollectionSerializer
from saved.models import COLLECTION_NAME_MAX_LENGTH
from saved.selectors import collection_post_rows, collections_of, get_collection, visible_post
from saved.services import (
    add_to_collection,
    create_collection,
    delete_collection,
    remove_from_collection,
    rename_collection,
)
from shared.pagination import KeysetPagination


@extend_schema_serializer(component_name="CollectionWrite")
class CollectionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=COLLECTION_NAME_MAX_LENGTH)


class CollectionListView(RememberCallerMixin, APIView):
    """GET the caller's collections, newest first; POST creates one."""

    permission_classes = [IsAuthenticated]
    pagination_class = KeysetPagination

    @extend_schema(responses=CollectionSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(collections_of(request.user.id), request, view=self)
        return paginator.get_paginated_response(CollectionSerializer(page, many=True).data)

    @extend_schema(request=CollectionInputSerializer, responses={201: CollectionSerializer})
    def post(self, request: Request) -> Response:
        data = CollectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collection = create_collection(owner_id=request.user.id, **data.validated_data)
        collection.post_count = 0
        return Response(CollectionSerializer(collection).data, status=status.HTTP_201_CREATED)


class CollectionDetailView(RememberCallerMixin, APIView):
    """GET, PATCH (its name) and DELETE one of the caller's collections."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CollectionSerializer})
    def get(self, request: Request, collection_id: int) -> Response:
        collection = get_collection(collection_id, owner_id=request.user.id)
        return Response(CollectionSerializer(collection).data)

    @extend_schema(request=CollectionInputSerializer, responses={200: CollectionSerializer})
    def patch(self, request: Request, collection_id: int) -> Response:
        collection = get_collection(collection_id, owner_id=request.user.id)
        data = CollectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collection = rename_collection(collection=collection, **data.validated_data)
        return Response(CollectionSerializer(collection).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, collection_id: int) -> Response:
        delete_collection(collection=get_collection(collection_id, owner_id=request.user.id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CollectionPostView(RememberCallerMixin, APIView):
    """PUT puts the post in the caller's collection (and bookmarks it); DELETE takes it out.
    Both 204, whether it was there or not."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def put(self, request: Request, collection_id: int, post_id: int) -> Response:
        collection = get_collection(collection_id, owner_id=request.user.id)
        post = visible_post(post_id, viewer_id=request.user.id)
        add_to_collection(collection=collection, post=post)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, collection_id: int, post_id: int) -> Response:
        collection = get_collection(collection_id, owner_id=request.user.id)
        post = visible_post(post_id, viewer_id=request.user.id)
        remove_from_collection(collection=collection, post_id=post.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CollectionPostListView(APIView):
    """The posts of one of the caller's collections, newest added first, keyset-paginated."""

    permission_classes = [IsAuthenticated]
    pagination_class = PositionedPagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema(responses=PostSerializer(many=True))
    def get(self, request: Request, collection_id: int) -> Response:
        collection = get_collection(collection_id, owner_id=request.user.id)
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: collection_post_rows(collection, cursor=cursor, limit=limit),
        )
        return paginator.get_paginated_response(render_posts(page))
