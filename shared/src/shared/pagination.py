"""Keyset (cursor) pagination on a composite key, with RFC 8288 `Link` headers.

DRF's `CursorPagination` positions on a single field and falls back to offsets on ties; the
contract needs "every item exactly once, even while new items arrive", so the cursor here holds
the full sort key of the boundary row, e.g. `(created_at, id)`, and each page is a plain
`WHERE (created_at, id) < (...) ORDER BY created_at DESC, id DESC LIMIT n` that an index serves
as cheaply on page 500 as on page 1.
"""

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from psycopg2 import sql
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from shared.ids import MAX_ID

MAX_CURSOR_LENGTH = 512
INVALID_CURSOR = {"cursor": ["Invalid cursor."]}


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: the sort key of the row just outside it, and which way it goes."""

    position: tuple[Any, ...]
    reverse: bool = False


Fetch = Callable[[Cursor | None, int], Iterable[Any]]


@dataclass(frozen=True)
class Keyset:
    """How one page walks a composite sort key: which way, and whether from a cursor.

    The rule of every keyset read, the ORM's (`KeysetPagination.filter_queryset`) and
    hand-written SQL's alike: the rows strictly past the cursor's position, in the page's
    direction. A reverse cursor walks against the ordering, towards the start; its rows come
    back in that order and `KeysetPagination.paginate` flips them. A keyset holds no cursor
    values, so a statement built from one can be cached for it.
    """

    fields: tuple[str, ...]
    # The order this page reads in (the ordering's, or the other way for a reverse cursor).
    descending: bool
    # Whether a cursor bounds the page (every page but the first).
    bounded: bool

    @classmethod
    def of(
        cls,
        cursor: Cursor | None,
        fields: Sequence[str] = ("created_at", "id"),
        *,
        descending: bool = True,
    ) -> "Keyset":
        """The walk of the page `cursor` starts, over `fields` ordered descending or not."""
        return cls(
            fields=tuple(fields),
            descending=descending != bool(cursor and cursor.reverse),
            bounded=cursor is not None,
        )

    def order_by(self) -> list[str]:
        """The ORM's ordering for the page."""
        return [f"-{field}" if self.descending else field for field in self.fields]

    def past(self, position: tuple[Any, ...]) -> Q:
        """The ORM's condition for the rows past `position`.

        `(a, b) < (x, y)` expanded as `a < x OR (a = x AND b < y)`, which Postgres can only
        apply as a filter, so a deep page would scan every row before the cursor: the redundant
        `a <= x` lets an index scan start at the cursor.
        """
        lookup = "lt" if self.descending else "gt"
        condition = Q()
        for i, field in enumerate(self.fields):
            equal = {self.fields[j]: position[j] for j in range(i)}
            condition |= Q(**equal, **{f"{field}__{lookup}": position[i]})
        return Q(**{f"{self.fields[0]}__{lookup}e": position[0]}) & condition

    def sql_past(self, *columns: sql.Composable) -> sql.Composable:
        """SQL for the rows past the cursor: `(columns) < (%(after_<field>)s, ...)`, `>` going
        the other way, TRUE without a cursor. A row comparison: an index on `columns` serves it
        as where its scan starts. Pass the values with `sql_params`."""
        if not self.bounded:
            return sql.SQL("TRUE")
        return sql.SQL("({}) {} ({})").format(
            sql.SQL(", ").join(columns),
            sql.SQL("<" if self.descending else ">"),
            sql.SQL(", ").join(sql.Placeholder(f"after_{field}") for field in self.fields),
        )

    def sql_order(self, *columns: sql.Composable) -> sql.Composable:
        """SQL for the page's order on `columns` (`a DESC, b DESC` or `a ASC, b ASC`)."""
        direction = sql.SQL("DESC" if self.descending else "ASC")
        return sql.SQL(", ").join(sql.SQL("{} {}").format(column, direction) for column in columns)

    def sql_params(self, cursor: Cursor | None, types: Sequence[type]) -> dict[str, Any]:
        """The cursor's position as the parameters of `sql_past` (400 unless of `types`)."""
        if cursor is None:
            return {}
        # Checked: hand-written SQL compares the values as they come.
        check_position(cursor.position, types)
        return {
            f"after_{field}": value
            for field, value in zip(self.fields, cursor.position, strict=True)
        }


def check_position(position: tuple[Any, ...], types: Sequence[type]) -> None:
    """400 unless each value of a decoded cursor has its sort field's type.

    A cursor is client input: it decodes to integers and datetimes in any order, and a value of
    the wrong type would reach the database as a comparison it cannot make (a 500). Datetimes
    must be timezone-aware, as the columns they are compared with are.
    """
    for value, expected in zip(position, types, strict=True):
        if not isinstance(value, expected) or (
            isinstance(value, datetime) and timezone.is_naive(value)
        ):
            raise ValidationError(INVALID_CURSOR)


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("dt"), str):
        parsed = parse_datetime(value["dt"])
        if parsed is None:
            raise ValueError("bad datetime")
        return parsed
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID:
        return value
    # A ranked list's score (search, explore): JSON writes a float as its shortest repr, which
    # reads back as the very same float, so the keyset compares exactly what it returned.
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise ValueError("bad cursor value")


class KeysetPagination(BasePagination):
    """Cursor pagination over `ordering`, all fields in the same direction.

    Views with a queryset call `paginate_queryset`; selectors that need hand-written SQL (the
    home timeline) call `paginate` with a function that fetches rows after a cursor.
    """

    ordering: Sequence[str] = ("-created_at", "-id")
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def __init__(self, ordering: Sequence[str] | None = None) -> None:
        if ordering is not None:
            self.ordering = tuple(ordering)
        directions = {field.startswith("-") for field in self.ordering}
        if len(directions) != 1:
            raise ValueError("KeysetPagination needs every ordering field in one direction.")
        self.descending = directions.pop()
        self.fields = tuple(field.lstrip("-") for field in self.ordering)
        self.next_url: str | None = None
        self.previous_url: str | None = None

    # -- reading the request -------------------------------------------------------------------

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": ["A valid integer is required."]}) from None
        if size < 1:
            raise ValidationError(
                {"page_size": ["Ensure this value is greater than or equal to 1."]}
            )
        # The contract caps a large page size rather than rejecting it.
        return min(size, self.max_page_size)

    def decode_cursor(self, request: Request) -> Cursor | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        invalid = ValidationError(INVALID_CURSOR)
        if len(raw) > MAX_CURSOR_LENGTH:
            raise invalid
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            position = tuple(_decode_value(value) for value in payload["p"])
            reverse = payload.get("r", False)
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
            raise invalid from None
        if len(position) != len(self.fields) or not isinstance(reverse, bool):
            raise invalid
        return Cursor(position=position, reverse=reverse)

    def encode_cursor(self, cursor: Cursor) -> str:
        payload = {"p": [_encode_value(value) for value in cursor.position]}
        if cursor.reverse:
            payload["r"] = True
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii")

    # -- fetching ------------------------------------------------------------------------------

    def position_of(self, row: Any) -> tuple[Any, ...]:
        if isinstance(row, dict):
            return tuple(row[field] for field in self.fields)
        return tuple(getattr(row, field) for field in self.fields)

    def filter_queryset(self, queryset: QuerySet, cursor: Cursor | None) -> QuerySet:
        """Order `queryset` for the page's direction and keep only rows beyond `cursor`."""
        keyset = Keyset.of(cursor, self.fields, descending=self.descending)
        queryset = queryset.order_by(*keyset.order_by())
        if cursor is None:
            return queryset
        fields = [queryset.model._meta.get_field(field) for field in self.fields]
        check_position(
            cursor.position,
            [datetime if isinstance(field, DateTimeField) else int for field in fields],
        )
        return queryset.filter(keyset.past(cursor.position))

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any]:
        return self.paginate(
            request, lambda cursor, limit: self.filter_queryset(queryset, cursor)[:limit]
        )

    def paginate(self, request: Request, fetch: Fetch) -> list[Any]:
        """Fetch one page with `fetch(cursor, limit)` and remember the neighbouring cursors.

        `fetch` must return rows in the page's direction (reversed for a backwards cursor).
        """
        self.request = request
        size = self.get_page_size(request)
        cursor = self.decode_cursor(request)
        rows = list(fetch(cursor, size + 1))
        has_more = len(rows) > size
        rows = rows[:size]
        going_back = bool(cursor and cursor.reverse)
        if going_back:
            rows.reverse()
        has_next = has_more if not going_back else True
        has_previous = cursor is not None if not going_back else has_more

        self.next_url = self.previous_url = None
        if rows:
            if has_next:
                self.next_url = self._url(Cursor(self.position_of(rows[-1])))
            if has_previous:
                self.previous_url = self._url(Cursor(self.position_of(rows[0]), reverse=True))
        elif cursor is not None:
            # Past the end (or everything beyond was deleted): offer only the way back, which
            # for a backwards cursor past the start is forwards again (never the same URL).
            if going_back:
                self.next_url = self._url(Cursor(cursor.position))
            else:
                self.previous_url = self._url(Cursor(cursor.position, reverse=True))
        return rows

    def _url(self, cursor: Cursor) -> str:
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.encode_cursor(cursor))

    # -- responding ----------------------------------------------------------------------------

    def get_paginated_response(self, data: Any) -> Response:
        response = Response({"next": self.next_url, "previous": self.previous_url, "results": data})
        links = []
        if self.next_url:
            links.append(f'<{self.next_url}>; rel="next"')
        if self.previous_url:
            links.append(f'<{self.previous_url}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's `next` or `previous`.",
                "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page (default {self.page_size}, capped at "
                f"{self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
