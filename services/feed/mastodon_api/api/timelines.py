"""/mastodon/api/v1/timelines/home and /mastodon/api/v1/bookmarks: the native lists' own
statements (`timeline.selectors.timeline_page`, `saved.selectors.bookmark_rows`)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api import entities
from mastodon_api.api.common import FeedMastodonView, PositionedMastodonPagination
from saved.selectors import bookmark_rows
from shared.mastodon import MastodonPagination
from timeline.selectors import timeline_page

TAGS = ["mastodon"]


class HomeTimelineView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict[str, Any]}, tags=TAGS)
    def get(self, request: Request) -> Response:
        paginator = MastodonPagination()
        rows = paginator.paginate(
            request,
            lambda cursor, limit: timeline_page(
                viewer_id=request.user.id, cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(entities.statuses(rows))


class BookmarkListView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict[str, Any]}, tags=TAGS)
    def get(self, request: Request) -> Response:
        paginator = PositionedMastodonPagination()
        rows = paginator.paginate(
            request,
            lambda cursor, limit: bookmark_rows(
                viewer_id=request.user.id, cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(entities.statuses(rows))
