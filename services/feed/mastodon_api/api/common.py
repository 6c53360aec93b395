"""What the feed's Mastodon views share: ids at the edge, the base view, the paginator."""

from rest_framework.exceptions import NotFound

from authors.api.mixins import RememberCallerMixin
from mastodon_api.entities import COMMENT_PREFIX
from posts.api.pagination import PositionedPagination
from posts.api.rendering import OrjsonRenderer
from shared.ids import is_db_id
from shared.mastodon import MastodonPagination, MastodonView


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
