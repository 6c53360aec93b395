"""/api/v1/users/{id}/stats."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.callers import viewer_id
from social.api.serializers import StatsSerializer
from social.selectors import user_stats


class UserStatsView(APIView):
    """The user's posts, followers and following counts, and whether the caller follows them."""

    @extend_schema(responses=StatsSerializer)
    def get(self, request: Request, user_id: int) -> Response:
        stats = user_stats(user_id, viewer_id=viewer_id(request))
        return Response(StatsSerializer(stats).data)
