"""Mechanism of the Mastodon-compatible API every service serves a part of (docs/mastodon.md).

Mastodon's conventions, not its data: errors as `{"error": "..."}`, pagination by `max_id`,
`min_id`, `since_id` and `limit` with a `Link` header (`rel="next"` first, carrying `max_id`),
and the parameter spellings its clients send (`id[]`, `media_ids[]`). What each endpoint means
is the service's own: the views in each service's `api/mastodon/` call its own services and
selectors.
"""

import base64
import binascii
import json
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from shared.errors import api_exception_handler
from shared.pagination import (
    MAX_CURSOR_LENGTH,
    Cursor,
    KeysetPagination,
    _decode_value,
    _encode_value,
)

# The instance's software as Mastodon clients parse it: they gate features on the version.
MASTODON_VERSION = "4.3.0"


def mastodon_version(project_version: str) -> str:
    return f"{MASTODON_VERSION} (compatible; social {project_version})"


def error_message(data: Any) -> str:
    """One line from DRF's error body (`{"detail": ...}` or a serializer's field errors)."""
    if isinstance(data, dict):
        if "detail" in data and len(data) == 1:
            return str(data["detail"])
        parts = []
        for field, problems in data.items():
            text = "; ".join(str(p) for p in problems) if isinstance(problems, list) else problems
            parts.append(
                str(text) if field in ("detail", "non_field_errors") else f"{field}: {text}"
            )
        return "Validation failed: " + ", ".join(parts)
    if isinstance(data, list):
        return "; ".join(str(item) for item in data)
    return str(data)


def mastodon_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The project's error handling (same statuses, same headers), in Mastodon's body."""
    response = api_exception_handler(exc, context)
    if response is not None:
        body: dict[str, Any] = {"error": error_message(response.data)}
        if isinstance(exc, ValidationError) and isinstance(response.data, dict):
            body["details"] = response.data
        response.data = body
    return response


class MastodonView(APIView):
    """A view of the Mastodon-compatible API: Mastodon's error body."""

    def get_exception_handler(self):
        return mastodon_exception_handler


def list_param(request: Request, name: str) -> list[str]:
    """A list parameter as Mastodon clients send it: `name[]` repeated (query, form or a JSON
    array under `name` or `name[]`)."""
    for source in (request.query_params, request.data):
        if not hasattr(source, "get"):
            continue
        for key in (f"{name}[]", name):
            if hasattr(source, "getlist"):
                values = source.getlist(key)
            else:
                value = source.get(key)
                values = value if isinstance(value, list) else ([] if value is None else [value])
            if values:
                return [str(value) for value in values]
    return []


class MastodonPagination(KeysetPagination):
    """The project's keyset pagination, spelt as Mastodon's: `max_id` (older than), `min_id` and
    `since_id` (newer than), `limit` (default 20, at most 40); the values are opaque cursors
    (url-safe, so clients can copy them from the `Link` header as they are)."""

    page_size = 20
    max_page_size = 40
    page_size_query_param = "limit"
    _params = ("max_id", "min_id", "since_id")

    def decode_cursor(self, request: Request) -> Cursor | None:
        for param in self._params:
            raw = request.query_params.get(param)
            if raw:
                return Cursor(position=self._decode(raw), reverse=param != "max_id")
        return None

    def _decode(self, raw: str) -> tuple[Any, ...]:
        invalid = ValidationError({"max_id": ["Invalid pagination id."]})
        if len(raw) > MAX_CURSOR_LENGTH:
            raise invalid
        try:
            padded = raw + "=" * (-len(raw) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            position = tuple(_decode_value(value) for value in payload)
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise invalid from None
        if len(position) != len(self.fields):
            raise invalid
        return position

    def encode_position(self, position: tuple[Any, ...]) -> str:
        raw = json.dumps([_encode_value(value) for value in position], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")

    def _url(self, cursor: Cursor) -> str:
        url = self.request.build_absolute_uri()
        for param in self._params:
            url = remove_query_param(url, param)
        param = "min_id" if cursor.reverse else "max_id"
        return replace_query_param(url, param, self.encode_position(cursor.position))

    def get_paginated_response(self, data: Any) -> Response:
        response = Response(data)
        links = []
        if self.next_url:
            links.append(f'<{self.next_url}>; rel="next"')
        if self.previous_url:
            links.append(f'<{self.previous_url}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return schema

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        described = {
            "max_id": "Items older than this (an opaque value from a `Link` header).",
            "min_id": "Items newer than this, the oldest first page.",
            "since_id": "Items newer than this.",
        }
        parameters = [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": text,
                "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
            }
            for name, text in described.items()
        ]
        parameters.append(
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": f"Items per page (default {self.page_size}, "
                f"at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            }
        )
        return parameters


# What the API documents answer with (the entities are Mastodon's, as its documentation
# describes them): one entity, or a list of them.
ENTITY: dict[str, Any] = {"type": "object", "additionalProperties": {}}
ENTITIES: dict[str, Any] = {"type": "array", "items": ENTITY}
