"""/api/v1/tags/{name}[/posts], /api/v1/explore/posts, /api/v1/explore/tags and
/api/v1/users/suggested."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authors.api.callers import viewer_id
from discovery.api.serializers import (
    SuggestionSerializer,
    TagSerializer,
    TrendingTagsSerializer,
)
from discovery.selectors import (
    explore_rows,
    suggested_accounts,
    tag_post_rows,
    tag_summary,
    trending_tags,
)
from discovery.services import refresh_trending_tags_if_stale
from posts.api.pagination import PositionedPagination
from posts.api.rendering import OrjsonRenderer, render_posts
from posts.api.serializers import PostSerializer
from posts.text import tag_name
from shared.pagination import KeysetPagination


def _tag(raw: str) -> str:
    """The tag named in the path, normalised as posts store it; 400 when it is not a tag."""
    name = tag_name(raw)
    if name is None:
        raise ValidationError({"name": ["Not a valid hashtag name."]})
    return name


class TagView(APIView):
    """The tag and how many posts carry it (0 for a tag nobody used)."""

    @extend_schema(responses={200: TagSerializer})
    def get(self, request: Request, name: str) -> Response:
        return Response(TagSerializer(tag_summary(_tag(name))).data)


class TagPostListView(APIView):
    """The posts with the tag, newest first, keyset-paginated."""

    pagination_class = KeysetPagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema(responses=PostSerializer(many=True))
    def get(self, request: Request, name: str) -> Response:
        tag = _tag(name)
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: tag_post_rows(
                tag, viewer_id=viewer_id(request), cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(render_posts(page))


class ExplorePagination(PositionedPagination):
    ordering = ("-score", "-id")


class ExplorePostListView(APIView):
    """Recent posts of public accounts, best first (docs/discovery.md has the rank); with a
    token, without the caller's own, or those of accounts they follow, block or mute."""

    pagination_class = ExplorePagination
    renderer_classes = [OrjsonRenderer]

    @extend_schema(responses=PostSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: explore_rows(
                viewer_id=viewer_id(request), cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(render_posts(page))


class ExploreTagListView(APIView):
    """The hashtags most used in the last EXPLORE_DAYS, most used first, as last counted
    (counted first when that count is stale)."""

    @extend_schema(responses={200: TrendingTagsSerializer})
    def get(self, request: Request) -> Response:
        refresh_trending_tags_if_stale(max_age_seconds=settings.TRENDING_TAGS_MAX_AGE_SECONDS)
        return Response(TrendingTagsSerializer({"results": trending_tags()}).data)


class SuggestionPagination(KeysetPagination):
    ordering = ("-mutual_count", "-id")


class SuggestedUserListView(APIView):
    """Accounts the caller does not follow, most followed by the caller's followees first."""

    permission_classes = [IsAuthenticated]
    pagination_class = SuggestionPagination

    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda cursor, limit: suggested_accounts(
                viewer_id=request.user.id, cursor=cursor, limit=limit
            ),
        )
        return paginator.get_paginated_response(SuggestionSerializer(page, many=True).data)
