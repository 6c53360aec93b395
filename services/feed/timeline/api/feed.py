"""/api/v1/feed: the caller's home timeline."""

from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from posts.api.rendering import OrjsonRenderer, render_posts
from posts.api.serializers import PostSerializer
from timeline.selectors import timeline_page


class HomeFeedView(generics.ListAPIView):
    """Posts by the caller and everyone they follow, newest first, keyset-paginated."""

    permission_classes = [IsAuthenticated]
    serializer_class = PostSerializer
    renderer_classes = [OrjsonRenderer]

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        # Hand-written SQL rather than a queryset: see timeline.selectors.
        page = self.paginator.paginate(
            request,
            lambda cursor, limit: timeline_page(
                viewer_id=request.user.id, cursor=cursor, limit=limit
            ),
        )
        return self.get_paginated_response(render_posts(page))
