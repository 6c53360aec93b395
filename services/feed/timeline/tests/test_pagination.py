"""The composite-key paginator (shared.pagination.KeysetPagination) that the timeline relies on.

Its hand-written-SQL path (`paginate(request, fetch)`) is exercised over a list held in memory,
its queryset path over real posts in Postgres, including many rows that share one created_at.
"""

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from posts.models import Post
from posts.tests.factories import PostFactory
from shared.pagination import Cursor, KeysetPagination

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def request_for(url: str) -> Request:
    return Request(APIRequestFactory().get(url))


def rows_with_ties() -> list[dict]:
    """30 rows over 10 instants, three rows per instant (ids tell them apart)."""
    return [{"id": i, "created_at": T0 + timedelta(seconds=i // 3)} for i in range(1, 31)]


def list_fetch(rows: list[dict]):
    """A `fetch` over `rows` that does what the timeline's SQL does: filter, order, limit."""

    def key(row: dict) -> tuple:
        return (row["created_at"], row["id"])

    def fetch(cursor: Cursor | None, limit: int) -> list[dict]:
        backwards = bool(cursor and cursor.reverse)
        ordered = sorted(rows, key=key, reverse=not backwards)
        if cursor is not None:
            bound = tuple(cursor.position)
            ordered = [r for r in ordered if (key(r) > bound if backwards else key(r) < bound)]
        return ordered[:limit]

    return fetch


def page(url: str, rows: list[dict]) -> tuple[list[int], KeysetPagination]:
    paginator = KeysetPagination()
    found = paginator.paginate(request_for(url), list_fetch(rows))
    return [row["id"] for row in found], paginator


def walk(url: str, rows: list[dict], link: str) -> list[list[int]]:
    """Follow `next_url` (or `previous_url`) from `url` until it runs out; the pages seen."""
    pages = []
    while url:
        ids, paginator = page(url, rows)
        pages.append(ids)
        url = paginator.next_url if link == "next" else paginator.previous_url
    return pages


# --- next and previous -----------------------------------------------------------------------


def test_next_visits_every_row_once_newest_first_across_ties_on_created_at():
    rows = rows_with_ties()

    pages = walk("/x?page_size=4", rows, "next")

    assert [len(p) for p in pages] == [4] * 7 + [2]
    assert [i for p in pages for i in p] == list(range(30, 0, -1))


def test_the_first_page_has_no_previous_and_the_last_has_no_next():
    rows = rows_with_ties()
    _, first = page("/x?page_size=10", rows)
    assert first.previous_url is None
    assert first.next_url is not None

    pages = walk("/x?page_size=10", rows, "next")
    assert len(pages) == 3  # 30 rows exactly fill three pages: no empty fourth page


def test_previous_walks_back_to_the_first_page_with_the_same_pages():
    rows = rows_with_ties()
    forward = walk("/x?page_size=7", rows, "next")
    _, last = page(next_url_of_last_page(rows, "/x?page_size=7"), rows)

    backward = walk(last.previous_url, rows, "previous")

    assert backward == list(reversed(forward[:-1]))
    assert backward[-1] == list(range(30, 23, -1))


def next_url_of_last_page(rows: list[dict], url: str) -> str:
    while True:
        _, paginator = page(url, rows)
        if paginator.next_url is None:
            return url
        url = paginator.next_url


def test_a_page_reached_backwards_offers_next_again():
    rows = rows_with_ties()
    _, first = page("/x?page_size=5", rows)
    _, second = page(first.next_url, rows)

    ids, back = page(second.previous_url, rows)

    assert ids == list(range(30, 25, -1))
    assert back.previous_url is None  # nothing newer than the first page
    assert page(back.next_url, rows)[0] == list(range(25, 20, -1))


def test_past_the_end_only_the_way_back_is_offered():
    rows = rows_with_ties()
    paginator = KeysetPagination()
    beyond = paginator.encode_cursor(Cursor((T0 - timedelta(days=1), 1)))

    ids, after_end = page(f"/x?cursor={beyond}", rows)

    assert ids == []
    assert after_end.next_url is None
    assert after_end.previous_url is not None


def test_back_past_the_start_only_the_way_forward_is_offered():
    rows = rows_with_ties()
    paginator = KeysetPagination()
    before = paginator.encode_cursor(Cursor((T0 + timedelta(days=1), 1), reverse=True))

    ids, before_start = page(f"/x?page_size=5&cursor={before}", rows)

    assert ids == []
    assert before_start.previous_url is None
    assert page(before_start.next_url, rows)[0] == [30, 29, 28, 27, 26]


def test_link_header_equals_the_body_links():
    rows = rows_with_ties()
    _, first = page("/x?page_size=5", rows)
    _, middle = page(first.next_url, rows)

    response = middle.get_paginated_response([])

    assert response.data["next"] == middle.next_url
    assert response.data["previous"] == middle.previous_url
    assert response["Link"] == (
        f'<{middle.next_url}>; rel="next", <{middle.previous_url}>; rel="prev"'
    )


def test_an_oldest_first_ordering_pages_ascending():
    paginator = KeysetPagination(ordering=("created_at", "id"))
    rows = rows_with_ties()

    def fetch(cursor: Cursor | None, limit: int) -> list[dict]:
        ordered = sorted(rows, key=lambda r: (r["created_at"], r["id"]))
        if cursor is not None:
            ordered = [r for r in ordered if (r["created_at"], r["id"]) > cursor.position]
        return ordered[:limit]

    first = paginator.paginate(request_for("/x?page_size=4"), fetch)
    second = paginator.paginate(request_for(paginator.next_url), fetch)

    assert [r["id"] for r in first + second] == list(range(1, 9))


def test_mixed_directions_are_refused():
    with pytest.raises(ValueError, match="one direction"):
        KeysetPagination(ordering=("-created_at", "id"))


# --- the cursor itself -------------------------------------------------------------------------


def test_a_cursor_round_trips_microseconds_and_the_time_zone():
    paginator = KeysetPagination()
    cursor = Cursor((T0, 2**62), reverse=True)
    encoded = paginator.encode_cursor(cursor)

    assert paginator.decode_cursor(request_for(f"/x?cursor={encoded}")) == cursor


def test_next_links_keep_the_other_query_parameters():
    rows = rows_with_ties()
    _, paginator = page("/x?page_size=3&foo=bar", rows)
    query = parse_qs(urlsplit(paginator.next_url).query)
    assert query["page_size"] == ["3"]
    assert query["foo"] == ["bar"]


@pytest.mark.parametrize(
    "raw",
    [
        "garbage",
        "%%%",
        "eyJwIjpbMV19",  # {"p":[1]}: one value for two fields
        "eyJwIjpbeyJkdCI6Im5vdCBhIGRhdGUifSwxXX0=",  # {"p":[{"dt":"not a date"},1]}
        "eyJwIjpbMSwyXSwiciI6InllcyJ9",  # {"p":[1,2],"r":"yes"}: reverse must be a boolean
        "eyJwIjpbTmFOLDJdfQ==",  # {"p":[NaN,2]}: a score must be a finite float
        "W10=",  # []: not an object
        "A" * 600,
    ],
)
def test_an_invalid_cursor_is_a_400_naming_the_cursor(raw):
    with pytest.raises(ValidationError) as raised:
        KeysetPagination().decode_cursor(request_for(f"/x?cursor={raw}"))
    assert raised.value.detail == {"cursor": ["Invalid cursor."]}


@pytest.mark.parametrize(("raw", "size"), [(None, 20), ("1", 1), ("100", 100), ("5000", 100)])
def test_page_size_defaults_to_20_and_is_capped_at_100(raw, size):
    url = "/x" if raw is None else f"/x?page_size={raw}"
    assert KeysetPagination().get_page_size(request_for(url)) == size


@pytest.mark.parametrize("raw", ["0", "-3", "abc"])
def test_a_bad_page_size_is_a_400(raw):
    with pytest.raises(ValidationError) as raised:
        KeysetPagination().get_page_size(request_for(f"/x?page_size={raw}"))
    assert "page_size" in raised.value.detail


# --- the queryset path, against Postgres -------------------------------------------------------


@pytest.mark.django_db
def test_a_queryset_pages_through_rows_sharing_one_created_at_without_loss():
    ids = [PostFactory(author_id=1).pk for _ in range(9)]
    Post.objects.update(created_at=T0)  # every row ties on created_at: only the id orders them
    paginator = KeysetPagination()
    queryset = Post.objects.all()

    seen, url = [], "/x?page_size=2"
    while url:
        seen += [post.pk for post in paginator.paginate_queryset(queryset, request_for(url))]
        url = paginator.next_url

    assert seen == sorted(ids, reverse=True)


@pytest.mark.django_db
def test_a_cursor_bounds_the_first_field_so_the_index_scan_starts_at_the_cursor():
    # Without an `a <= x` bound Postgres can only filter the expanded OR row comparison, and a
    # deep page reads every row before the cursor.
    for _ in range(3):
        PostFactory(author_id=1)
    paginator = KeysetPagination()
    page = paginator.filter_queryset(
        Post.objects.filter(author_id=1), Cursor((T0 + timedelta(days=1), 10))
    )[:2]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway

        plan = page.explain()

    assert "posts_author_recent" in plan
    assert "Index Cond: ((author_id = 1) AND (created_at <= " in plan


def raw_cursor(*position: object) -> str:
    payload = json.dumps({"p": list(position)}).encode()
    return base64.urlsafe_b64encode(payload).decode("ascii")


NOW = {"dt": "2026-01-01T00:00:00+00:00"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "position",
    [(1, 2), (NOW, NOW), (5, NOW), ({"dt": "2026-01-01T00:00:00"}, 1)],
    ids=["ints", "datetimes", "swapped", "naive"],
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/1/followers",
        "/api/v1/users/1/following",
        "/api/v1/posts/{post}/likes",
        "/api/v1/posts/{post}/comments",
        "/api/v1/users/1/posts",
        "/api/v1/feed",
    ],
)
def test_a_cursor_holding_values_of_the_wrong_types_is_a_400_on_every_list(
    client_for, path, position
):
    post = PostFactory()
    url = path.format(post=post.pk) + "?cursor=" + raw_cursor(*position)
    response = client_for(1).get(url)
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor."]}
