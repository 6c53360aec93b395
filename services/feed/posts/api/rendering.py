"""The hot reads' rendering of the Post shape: JSON fragments, most of each kept ready.

A profile of the home timeline showed Python's share of a page (decoding the images, building
media URLs, formatting timestamps, DRF's JSON encoder) at about as much as the rest of the
request. Most of that depends only on what a post says, which changes only with its
`updated_at`. So each post's title, body, images and timestamps are rendered to JSON once per
(id, updated_at) and kept in a bounded in-process cache; a read then fetches only the counters,
`liked_by_me` and the author (`posts.selectors.post_rows`) and splices them in. A post not in
the cache costs one more statement for the whole page (`post_contents`).

Nothing here can serve stale data: the key carries `updated_at`, which every edit moves, and
what changes without an edit (counters, likes, the author's name and avatar) is read every
time. The cache is per process and needs no invalidation; an entry whose post was edited or
deleted is simply never asked for again and ages out.

`OrjsonRenderer` renders the page around the fragments (orjson inlines them as they are); the
bytes are the same as DRF's `JSONRenderer` renders `PostSerializer`'s output
(`posts/tests/test_representations.py` holds the two equal).
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import orjson
from django.conf import settings
from django.utils import timezone
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

from authors.services import summarize_authors
from posts.api.media import media_urls
from posts.selectors import PostContent, PostRow, post_contents


class _Rendered:
    """A bounded LRU map (id, updated_at) -> (head, tail) JSON fragments of a post."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, Any], tuple[bytes, bytes]] = OrderedDict()
        # Gunicorn's threaded workers share the map.
        self._lock = threading.Lock()

    def get(self, key: tuple[int, Any]) -> tuple[bytes, bytes] | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[int, Any], value: tuple[bytes, bytes]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


rendered = _Rendered(settings.RENDERED_POSTS_CACHE_SIZE)


def render_posts(rows: Sequence[PostRow]) -> list[orjson.Fragment]:
    """The contract's Post for each row, as JSON fragments, in the rows' order.

    At most two queries whatever the number of rows: the contents of posts not rendered yet,
    and the replica's read of authors it lacks (which may ask the users service, once, for all
    of them, as `SummarizedListSerializer` does). A post deleted since `rows` were read is left
    out.
    """
    parts: dict[int, tuple[bytes, bytes]] = {}
    missing = []
    for row in rows:
        part = rendered.get((row.id, row.updated_at))
        if part is None:
            missing.append(row.id)
        else:
            parts[row.id] = part
    if missing:
        url = media_urls()
        for content in post_contents(missing):
            part = _render_content(content, url)
            # Keyed by the content's own updated_at: an edit committed since `rows` were read
            # is rendered as it now is, and filed under the version it belongs to.
            rendered.put((content.id, content.updated_at), part)
            parts[content.id] = part

    absent = {row.author_id for row in rows if row.author is None}
    fetched = summarize_authors(absent) if absent else {}
    return [
        orjson.Fragment(
            b'{"id":%d,"author":%b,%b,"like_count":%d,"comment_count":%d,"liked_by_me":%b,%b}'
            % (
                row.id,
                orjson.dumps(row.author or fetched[row.author_id]),
                parts[row.id][0],
                row.like_count,
                row.comment_count,
                b"true" if row.liked_by_me else b"false",
                parts[row.id][1],
            )
        )
        for row in rows
        if row.id in parts
    ]


def _render_content(content: PostContent, url: Any) -> tuple[bytes, bytes]:
    """`"title":…,"body":…,"images":[…]` and `"created_at":…,"updated_at":…` of a post."""
    # What DRF's DateTimeField does: to the current time zone, then DATETIME_FORMAT.
    zone, datetime_format = timezone.get_current_timezone(), api_settings.DATETIME_FORMAT
    head = orjson.dumps(
        {
            "title": content.title,
            "body": content.body,
            "images": [
                {
                    "url": url(file),
                    "thumbnail_url": url(thumbnail),
                    "width": width,
                    "height": height,
                }
                for file, thumbnail, width, height in content.images
            ],
        }
    )
    tail = orjson.dumps(
        {
            "created_at": content.created_at.astimezone(zone).strftime(datetime_format),
            "updated_at": content.updated_at.astimezone(zone).strftime(datetime_format),
        }
    )
    return head[1:-1], tail[1:-1]


class OrjsonRenderer(BaseRenderer):
    """`application/json` with orjson: inlines `orjson.Fragment`s, compact UTF-8 like DRF's.

    Types orjson does not know (Decimal, lazy strings...) go through DRF's own encoder, and,
    as DRF's JSONRenderer does, U+2028 and U+2029 are escaped (valid JSON, but line breaks
    to JavaScript).
    """

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        body = orjson.dumps(data, default=JSONEncoder().default)
        return body.replace(_LS, rb"\u2028").replace(_PS, rb"\u2029")


_LS, _PS = "\u2028".encode(), "\u2029".encode()
