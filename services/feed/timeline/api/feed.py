"""/api/v1/feed: the caller's home timeline."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from posts.api.rendering import OrjsonRenderer, render_posts
from posts.api.serializers import PostSerializer
from shared.pagination import KeysetPagination
from timeline.selectors import timeline_page


class HomeFeedView(APIView):
    """Posts by the caller and everyone they follow, newest first, keyset-paginated."""

    permission_classes = [IsAuthenticated]
    pagination_class = KeysetPagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema(responses=PostSerializer(many=True))
    def get(self, request: Request) -> Response:
        # Hand-written SQL rather than a queryset: see timeline.selectors.
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: timeline_page(
                viewer_id=request.user.id, cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(render_posts(page))
