"""/mastodon/api/v1/timelines/home, /timelines/tag/{hashtag} and /bookmarks: the native lists'
own statements (the home timeline's with its authors' Accounts, `selectors.home_page`;
`discovery.selectors.tag_post_rows`, `saved.selectors.bookmark_rows`)."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from authors.api.callers import viewer_id
from discovery.selectors import tag_post_rows
from mastodon_api import entities
from mastodon_api.api.common import FeedMastodonView, PositionedMastodonPagination
from mastodon_api.selectors import AccountRow, home_page
from posts.selectors import PostRow
from posts.text import tag_name
from saved.selectors import bookmark_rows
from shared.mastodon import ENTITIES, MastodonPagination
from shared.pagination import Cursor

TAGS = ["mastodon"]


class HomeTimelineView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ENTITIES}, tags=TAGS)
    def get(self, request: Request) -> Response:
        paginator = MastodonPagination()
        known: dict[int, AccountRow] = {}

        def fetch(cursor: Cursor | None, limit: int) -> list[PostRow]:
            rows, authors = home_page(viewer_id=request.user.id, cursor=cursor, limit=limit)
            known.update(authors)
            return rows

        rows = paginator.paginate(request, fetch)
        return paginator.get_paginated_response(entities.statuses(rows, known=known))


class BookmarkListView(FeedMastodonView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ENTITIES}, tags=TAGS)
    def get(self, request: Request) -> Response:
        paginator = PositionedMastodonPagination()
        rows = paginator.paginate(
            request,
            lambda cursor, limit: bookmark_rows(
                viewer_id=request.user.id, cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(entities.statuses(rows))


class TagTimelineView(FeedMastodonView):
    """The posts with the hashtag, newest first (as `GET /api/v1/tags/{name}/posts`)."""

    @extend_schema(responses={200: ENTITIES}, tags=TAGS)
    def get(self, request: Request, hashtag: str) -> Response:
        tag = tag_name(hashtag)
        if tag is None:
            raise NotFound("Record not found")
        paginator = MastodonPagination()
        rows = paginator.paginate(
            request,
            lambda cursor, limit: tag_post_rows(
                tag, viewer_id=viewer_id(request), cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(entities.statuses(rows))
