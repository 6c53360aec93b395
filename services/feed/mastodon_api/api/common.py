"""What the feed's Mastodon views share: ids at the edge, the base view, the paginator."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from authors.api.mixins import RememberCallerMixin
from mastodon_api import entities
from mastodon_api.entities import COMMENT_PREFIX
from posts.api.pagination import PositionedPagination
from posts.api.rendering import OrjsonRenderer
from shared.ids import is_db_id
from shared.mastodon import ENTITIES, MastodonPagination, MastodonView


class FeedMastodonView(RememberCallerMixin, MastodonView):
    """A Mastodon view of the feed: the native writers' bookkeeping, Mastodon's errors, and the
    native renderer (orjson, which inlines the Statuses' kept JSON: `entities.statuses`)."""

    renderer_classes = [OrjsonRenderer]


def db_id(raw: str, *, what: str = "Record") -> int:
    """A path's numeric id; `NotFound` (Mastodon's "Record not found") for anything else."""
    if raw.isascii() and raw.isdigit() and is_db_id(int(raw)):
        return int(raw)
    raise NotFound(f"{what} not found")


def status_target(raw: str) -> tuple[str, int]:
    """("post", id) or ("comment", id) for a status id (`"42"`, `"c7"`)."""
    if raw.startswith(COMMENT_PREFIX):
        return "comment", db_id(raw[len(COMMENT_PREFIX) :])
    return "post", db_id(raw)


class PositionedMastodonPagination(MastodonPagination, PositionedPagination):
    """Mastodon's spelling of a list not ordered on the posts' own key (bookmarks)."""


class AccountPageView(FeedMastodonView):
    """A page of relationship rows (followers, following, blocks, mutes, follow requests) as
    the Accounts on one side of them (`shown`, a user id column), newest row first: `rows`
    is paginated on ("-created_at", "-id"). One query for the page, one for the Accounts."""

    shown = "user_id"

    def rows(self, request: Request, **kwargs: Any) -> QuerySet:
        raise NotImplementedError

    def explain_empty(self, request: Request, **kwargs: Any) -> None:
        """Raise an error when an empty page means the caller may not see the list."""

    @extend_schema(responses={200: ENTITIES}, tags=["mastodon"])
    def get(self, request: Request, **kwargs: Any) -> Response:
        paginator = MastodonPagination()
        page = paginator.paginate_queryset(self.rows(request, **kwargs), request, view=self)
        if not page:
            self.explain_empty(request, **kwargs)
        ids = [getattr(row, self.shown) for row in page]
        found = entities.accounts(ids)
        return paginator.get_paginated_response([found[user_id] for user_id in ids])
