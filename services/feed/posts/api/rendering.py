"""The one rendering of the Post shape (JSON fragments, most of each kept ready), and of the
Comment shape (`render_comments`).

Every endpoint that returns posts (create, update, a single post, a user's posts, the timeline)
renders `posts.selectors.post_rows` here, from the fields `PostSerializer` declares (their
names, order and representations; the API schema is drawn from the same fields).

A profile of the home timeline showed Python's share of a page (decoding the images, building
media URLs, formatting timestamps, DRF's JSON encoder) at about as much as the rest of the
request. Most of that depends only on what a post says, which changes only with its
`updated_at` (the serializer's `Meta.kept_fields`). So those fields are rendered to JSON once
per (id, updated_at) and kept in a bounded in-process cache; a read then fetches only the
counters, `liked_by_me` and the author (`posts.selectors.post_rows`) and splices them in. A
post not in the cache costs one more statement for the whole page (`post_contents`).

Nothing here can serve stale data: the key carries `updated_at`, which every edit moves, and
what changes without an edit (counters, likes, the author's name and avatar) is read every
time. The cache is per process and needs no invalidation; an entry whose post was edited or
deleted is simply never asked for again and ages out.

`OrjsonRenderer` renders the page around the fragments (orjson inlines them as they are); the
bytes are the same as DRF's `JSONRenderer` renders `PostSerializer`'s own output
(`posts/tests/test_representations.py` holds the two equal).
"""

import dataclasses
import functools
import operator
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework import ISO_8601
from rest_framework.exceptions import NotFound
from rest_framework.fields import (
    CharField,
    DateTimeField,
    Field,
    IntegerField,
    SerializerMethodField,
)
from rest_framework.renderers import BaseRenderer
from rest_framework.serializers import ListSerializer, Serializer
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

from authors.services import summarize_authors
from posts.api.serializers import CommentSerializer, PostSerializer
from posts.selectors import CommentRow, PostContent, PostRow, post_contents


class _Rendered:
    """A bounded LRU map (id, updated_at) -> the kept runs of a post's JSON."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, Any], tuple[bytes, ...]] = OrderedDict()
        # Gunicorn's threaded workers share the map.
        self._lock = threading.Lock()

    def get(self, key: tuple[int, Any]) -> tuple[bytes, ...] | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[int, Any], value: tuple[bytes, ...]) -> None:
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
    of them). A post deleted since `rows` were read is left out.
    """
    shape = _shape()
    parts: dict[int, tuple[bytes, ...]] = {}
    missing = []
    for row in rows:
        part = rendered.get((row.id, row.updated_at))
        if part is None:
            missing.append(row.id)
        else:
            parts[row.id] = part
    if missing:
        contents = post_contents(missing)
        for content, part in zip(contents, shape.render_kept(contents), strict=True):
            # Keyed by the content's own updated_at: an edit committed since `rows` were read
            # is rendered as it now is, and filed under the version it belongs to.
            rendered.put((content.id, content.updated_at), part)
            parts[content.id] = part

    absent = {row.author_id for row in rows if row.author is None}
    if absent:
        fetched = summarize_authors(absent)
        for row in rows:
            if row.author is None:
                row.author = fetched[row.author_id]
    return shape.render(rows, parts)


def render_post(row: PostRow) -> orjson.Fragment:
    """The contract's Post for one row (as `render_posts`); `NotFound` if it has gone."""
    rendered = render_posts([row])
    if not rendered:  # deleted since the row was read
        raise NotFound("No post with that id.")
    return rendered[0]


def render_comments(rows: Sequence[CommentRow]) -> list[dict[str, Any]]:
    """The contract's Comment for each row, in the rows' order: every endpoint that returns
    comments (the lists, a comment just written) renders `posts.selectors.CommentRow`s here.

    `CommentSerializer`'s fields, in its order, with less of DRF's machinery per row (a page's
    profile showed DRF's per-field work at about a fifth of the request once the reads were one
    statement). At most one query whatever the number of rows: the replica's read of authors
    the statement did not find (which may ask the users service, once, for all of them).
    """
    absent = {row.author_id for row in rows if row.author is None}
    if absent:
        fetched = summarize_authors(absent)
        for row in rows:
            if row.author is None:
                row.author = fetched[row.author_id]
    fields = _comment_fields()
    return [{name: value_of(row) for name, value_of in fields} for row in rows]


@functools.cache
def _comment_fields() -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    # Built once, on first use, as `_shape`; every field must be one `CommentRow` carries.
    serializer = CommentSerializer()
    for name, field in serializer.fields.items():
        _check_source(name, field, CommentRow, "CommentSerializer")
    return tuple((name, _value_of(field)) for name, field in serializer.fields.items())


class _Shape:
    """`PostSerializer`'s fields compiled for rendering rows, in their order: each is kept (a
    `PostContent`'s, rendered once per version, with its neighbours, into a run of
    `"name":value` JSON) or live (a `PostRow`'s, rendered with every read). A page renders each
    post with one bytes formatting of `template`; the fields' own code runs only where it does
    more than JSON already does (an integer is written as it is)."""

    def __init__(self, serializer: PostSerializer) -> None:
        kept = set(serializer.Meta.kept_fields)
        template: list[bytes] = []
        # The kept runs' fields, and per slot of the template what fills it: (True, a kept
        # run's index) or (False, a live field's value for a row).
        self.runs: list[list[tuple[str, Callable[[Any], Any], str | None]]] = []
        self.slots: list[tuple[bool, Any]] = []
        for name, field in serializer.fields.items():
            _check_source(name, field, PostContent if name in kept else PostRow, "PostSerializer")
            if name in kept:
                if not self.slots or not self.slots[-1][0]:
                    template.append(b"%b")
                    self.slots.append((True, len(self.runs)))
                    self.runs.append([])
                timestamp = _timestamp_format(field)
                # A timestamp is converted by `render_kept`, once the time zone is known.
                value_of = operator.attrgetter(field.source) if timestamp else _value_of(field)
                self.runs[-1].append((name, value_of, timestamp))
                continue
            key = orjson.dumps(name) + b":"
            if type(field) is IntegerField and not field.allow_null:
                # DRF writes int(value): the row's integer itself (a null would fail loudly).
                template.append(key + b"%d")
                self.slots.append((False, operator.attrgetter(field.source)))
            else:
                template.append(key + b"%b")
                self.slots.append((False, _as_json(_value_of(field))))
        self.template = b"{" + b",".join(template) + b"}"

    def render_kept(self, contents: Sequence[PostContent]) -> list[tuple[bytes, ...]]:
        """The kept runs of each post."""
        # What DRF's DateTimeField does, with the current time zone looked up once.
        zone = timezone.get_current_timezone()
        return [
            tuple(
                orjson.dumps(
                    {
                        name: value_of(content)
                        if timestamp is None
                        else value_of(content).astimezone(zone).strftime(timestamp)
                        for name, value_of, timestamp in run
                    },
                    default=_default,
                )[1:-1]
                for run in self.runs
            )
            for content in contents
        ]

    def render(
        self, rows: Sequence[PostRow], kept: dict[int, tuple[bytes, ...]]
    ) -> list[orjson.Fragment]:
        """The rows whose kept runs are in `kept`, in order."""
        template, slots, fragment = self.template, self.slots, orjson.Fragment
        return [
            fragment(
                template % tuple([runs[slot] if is_kept else slot(row) for is_kept, slot in slots])
            )
            for row in rows
            if (runs := kept.get(row.id)) is not None
        ]


def _check_source(name: str, field: Field, carrier: type, serializer: str) -> None:
    """Refuse, at the first render, a field whose value the selectors do not read."""
    source = field.source.split(".")[0]
    if source != "*" and source not in {item.name for item in dataclasses.fields(carrier)}:
        raise ImproperlyConfigured(
            f"{serializer}.{name} shows `{field.source}`, which posts.selectors."
            f"{carrier.__name__} does not carry: read it there (and in its statement)."
        )


def _value_of(field: Field) -> Callable[[Any], Any]:
    """What DRF's `Serializer.to_representation` puts under the field's name for an instance,
    with less of DRF's machinery where the field does nothing JSON does not."""
    if isinstance(field, SerializerMethodField):
        return getattr(field.parent, field.method_name)
    get = operator.attrgetter(field.source)
    if type(field) in (IntegerField, CharField):
        # int(value) and str(value) of the database's ints and strings are the values.
        return get
    if isinstance(field, ListSerializer) and isinstance(field.child, Serializer):
        items = [(name, _value_of(child)) for name, child in field.child.fields.items()]

        def many(instance: Any) -> list[dict[str, Any]] | None:
            value = get(instance)
            if value is None:
                return None
            return [{name: value_of(item) for name, value_of in items} for item in value]

        return many

    def represent(instance: Any) -> Any:
        attribute = field.get_attribute(instance)
        return None if attribute is None else field.to_representation(attribute)

    return represent


def _timestamp_format(field: Field) -> str | None:
    """The strftime format of a DateTimeField that writes aware datetimes in the current time
    zone (DRF's default, with a format string), whose work `render_kept` does itself."""
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    plain = type(field) is DateTimeField and not hasattr(field, "timezone")
    if not plain or not settings.USE_TZ or output is None or output.lower() == ISO_8601:
        return None
    return output


def _as_json(value_of: Callable[[Any], Any]) -> Callable[[Any], bytes]:
    return lambda instance: orjson.dumps(value_of(instance), default=_default)


@functools.cache
def _shape() -> _Shape:
    # Built once, on first use (the serializer's fields need the app registry); its fields are
    # only read, so the worker's threads share it.
    return _Shape(PostSerializer())


_default = JSONEncoder().default


class OrjsonRenderer(BaseRenderer):
    """`application/json` with orjson: inlines `orjson.Fragment`s, compact UTF-8 like DRF's.

    Types orjson does not know (Decimal, lazy strings...) go through DRF's own encoder; keys
    that are not strings (the positions in a list field's errors) become strings, as `json`
    writes them; and, as DRF's JSONRenderer does, U+2028 and U+2029 are escaped (valid JSON,
    but line breaks to JavaScript).
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
        body = orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
        return body.replace(_LS, rb"\u2028").replace(_PS, rb"\u2029")


_LS, _PS = "\u2028".encode(), "\u2029".encode()
