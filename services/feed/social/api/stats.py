"""/api/v1/users/{id}/stats."""

from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from posts.api.posts import viewer_id
from social.api.serializers import StatsSerializer
from social.selectors import user_stats


class UserStatsView(generics.GenericAPIView):
    """The user's posts, followers and following counts, and whether the caller follows them."""

    serializer_class = StatsSerializer

    def get(self, request: Request, user_id: int) -> Response:
        stats = user_stats(user_id, viewer_id=viewer_id(request))
        return Response(self.get_serializer(stats).data)
