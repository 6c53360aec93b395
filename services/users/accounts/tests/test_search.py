"""GET /api/v1/users?search=Q: prefix search on username and name, cursor-paginated."""

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db


def usernames(response) -> list[str]:
    return [row["username"] for row in response.json()["results"]]


@pytest.fixture
def people(make_user):
    base = timezone.now() - timedelta(days=1)
    specs = [
        ("anna", "Zoe Park"),
        ("annabel", ""),
        ("bob", "Anna Smith"),
        ("carl", "carl annan"),
        ("dan_an", "Dan"),
        ("an_dy", "Andy"),
    ]
    users = []
    for i, (username, name) in enumerate(specs):
        user = make_user(username=username, name=name)
        # Distinct join times make "newest first" observable.
        User.objects.filter(pk=user.pk).update(date_joined=base + timedelta(minutes=i))
        users.append(user)
    return users


def test_search_matches_a_prefix_of_username_or_name_in_any_case_newest_first(client, people):
    response = client.get("/api/v1/users", {"search": "AN"})
    assert response.status_code == 200
    assert usernames(response) == ["an_dy", "bob", "annabel", "anna"]
    assert set(response.json()) == {"next", "previous", "results"}
    assert "email" not in response.json()["results"][0]


def test_search_treats_like_wildcards_literally(client, people):
    assert usernames(client.get("/api/v1/users", {"search": "an_"})) == ["an_dy"]
    assert usernames(client.get("/api/v1/users", {"search": "%"})) == []


def test_search_does_not_match_inside_a_word(client, people):
    assert usernames(client.get("/api/v1/users", {"search": "nna"})) == []


@pytest.mark.parametrize("params", [{}, {"search": ""}, {"search": "   "}])
def test_missing_or_blank_search_lists_every_active_user_newest_first(client, people, params):
    people[0].is_active = False
    people[0].save()
    response = client.get("/api/v1/users", params)
    assert usernames(response) == ["an_dy", "dan_an", "carl", "bob", "annabel"]


def test_following_next_visits_every_match_once(client, make_user):
    for n in range(7):
        make_user(username=f"sam{n}")
    seen, url, pages = [], "/api/v1/users?search=sam&page_size=3", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += usernames(response)
        url = response.json()["next"]
        pages += 1
        if url:
            assert response["Link"].startswith(f"<{url}>")
    assert sorted(seen) == [f"sam{n}" for n in range(7)]
    assert len(seen) == 7
    assert pages == 3


@pytest.mark.parametrize(
    "params",
    [{"search": "a\x00"}, {"cursor": "garbage"}, {"page_size": "0"}],
)
def test_bad_query_parameters_are_a_400(client, params):
    response = client.get("/api/v1/users", params)
    assert response.status_code == 400


def test_a_search_longer_than_any_username_or_name_is_an_empty_page(client, people):
    response = client.get("/api/v1/users", {"search": "x" * 151})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_page_size_over_the_cap_is_capped(client, make_user):
    for n in range(3):
        make_user(username=f"cap{n}")
    assert len(client.get("/api/v1/users", {"page_size": 1000}).json()["results"]) == 3


def test_search_runs_one_query_whatever_the_page_size(client, make_user):
    for n in range(30):
        make_user(username=f"q{n}")
    counts = []
    for size in (1, 30):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/users", {"search": "q", "page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] == 1


@pytest.mark.parametrize("position", [[1, 2], [{"dt": "2026-01-01T00:00:00+00:00"}] * 2])
def test_a_cursor_holding_values_of_the_wrong_types_is_a_400(client, people, position):
    raw = base64.urlsafe_b64encode(json.dumps({"p": position}).encode()).decode("ascii")
    response = client.get("/api/v1/users", {"search": "an", "cursor": raw})
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor."]}
