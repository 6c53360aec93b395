"""/mastodon/api/v2/search: accounts, statuses and hashtags matching `q`, each list from the
native reads (`discovery.selectors.search_account_ids` and `search_tags`,
`posts.selectors.search_post_rows`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from authors.api.callers import viewer_id
from discovery.selectors import search_account_ids, search_tags
from mastodon_api import entities
from mastodon_api.api.common import FeedMastodonView
from posts.selectors import SEARCH_MAX_LENGTH, search_post_rows
from shared.mastodon import ENTITY, MastodonPagination

TAGS = ["mastodon"]
TYPES = ("accounts", "statuses", "hashtags")
# Search pages by offset; the statuses' statement is keyset-paginated, so an offset reads
# `offset + limit` rows: this bounds it.
MAX_OFFSET = 200


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=SEARCH_MAX_LENGTH)
    type = serializers.ChoiceField(choices=TYPES, required=False)
    # Nothing here is remote, so resolving finds nothing more; accepted as Mastodon does.
    resolve = serializers.BooleanField(required=False, default=False)
    following = serializers.BooleanField(required=False, default=False)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=MAX_OFFSET)
    limit = serializers.IntegerField(required=False, default=20, min_value=1)


def _acct(query: str) -> str:
    """`@ann`, `ann@host` and `ann` all name the local account `ann`."""
    return query.strip().lstrip("@").split("@")[0]


class SearchView(FeedMastodonView):
    """Mastodon's Search: `accounts` whose username or name starts with `q` (the exact acct
    first), `statuses` whose text matches `q`'s words (best match first), `hashtags` starting
    with `q`; `type` keeps one list, `limit` (at most 40) and `offset` apply to each."""

    @extend_schema(parameters=[SearchQuerySerializer], responses={200: ENTITY}, tags=TAGS)
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        viewer = viewer_id(request)
        # As Mastodon: only a user token may resolve or page a search.
        if viewer is None and (params["resolve"] or params["offset"] or params["following"]):
            raise NotAuthenticated("Search queries that resolve or page need a user token.")
        wanted = (params["type"],) if "type" in params else TYPES
        limit = min(params["limit"], MastodonPagination.max_page_size)
        offset, text = params["offset"], params["q"]
        found: dict[str, list] = {kind: [] for kind in TYPES}
        if "accounts" in wanted:
            ids = search_account_ids(
                _acct(text),
                viewer_id=viewer,
                following=params["following"],
                limit=limit,
                offset=offset,
            )
            rendered = entities.accounts(ids)
            found["accounts"] = [rendered[user_id] for user_id in ids if user_id in rendered]
        if "statuses" in wanted:
            rows = search_post_rows(text, viewer_id=viewer, cursor=None, limit=offset + limit)
            found["statuses"] = entities.statuses(rows[offset:])
        if "hashtags" in wanted:
            tags = search_tags(text, limit=limit, offset=offset)
            found["hashtags"] = [entities.hashtag(tag["name"]) for tag in tags]
        return Response(found)
