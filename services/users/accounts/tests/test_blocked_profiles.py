"""A blocker's profile is hidden from the account they block (by id, by lookup, in search), as
the replica of the feed's blocks says; the blocker still sees the blocked account's profile."""

import uuid

import pytest
from conftest import bearer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.selectors import get_user_summary, user_summaries
from config.events import apply_block
from shared.events.consumer import apply_once
from shared.events.message import Event

pytestmark = pytest.mark.django_db


def block(blocker_id: int, blocked_id: int, *, sequence: int = 1, unblock: bool = False) -> None:
    """What the consumer does with the feed's block event."""
    event = Event(
        id=uuid.uuid4(),
        type=f"feed.block.{'deleted' if unblock else 'created'}",
        aggregate_id=blocker_id,
        sequence=sequence,
        occurred_at=timezone.now(),
        producer="feed",
        request_id="req-1",
        payload={"blocked_id": blocked_id},
    )
    assert apply_once(event, apply_block)


@pytest.fixture
def pair(make_user):
    """C(arol) blocks D(ave); E(ve) is neither."""
    carol = make_user(username="carol", name="Carol Ames")
    dave = make_user(username="dave", name="Dave Cole")
    eve = make_user(username="eve", name="Carrie Eve")
    block(carol.pk, dave.pk)
    return carol, dave, eve


def as_user(user) -> APIClient:
    api = APIClient()
    api.credentials(**bearer(user))
    return api


def search(api: APIClient, query: str) -> list[str]:
    response = api.get("/api/v1/users", {"search": query})
    assert response.status_code == 200
    return [row["username"] for row in response.json()["results"]]


def test_the_blocked_account_gets_404_for_the_blockers_profile_by_id_and_by_lookup(pair):
    carol, dave, _ = pair
    api = as_user(dave)

    assert api.get(f"/api/v1/users/{carol.pk}").status_code == 404
    assert api.get("/api/v1/users/lookup", {"username": "carol"}).status_code == 404
    assert api.get("/api/v1/users/lookup", {"username": "CAROL"}).status_code == 404


def test_the_blocked_account_never_finds_the_blocker_in_search(pair):
    _, dave, _ = pair
    api = as_user(dave)

    assert search(api, "car") == ["eve"]
    assert "carol" not in search(api, "")


def test_the_blocker_still_sees_the_blocked_accounts_profile(pair):
    carol, dave, _ = pair
    api = as_user(carol)

    assert api.get(f"/api/v1/users/{dave.pk}").status_code == 200
    assert api.get("/api/v1/users/lookup", {"username": "dave"}).status_code == 200
    assert search(api, "dav") == ["dave"]


def test_others_and_anonymous_readers_still_see_the_blocker(client, pair):
    carol, _, eve = pair
    for api in (client, as_user(eve)):
        assert api.get(f"/api/v1/users/{carol.pk}").status_code == 200
        assert api.get("/api/v1/users/lookup", {"username": "carol"}).status_code == 200
        assert "carol" in search(api, "car")


def test_after_the_unblock_the_profile_is_back(pair):
    carol, dave, _ = pair
    block(carol.pk, dave.pk, sequence=2, unblock=True)
    api = as_user(dave)

    assert api.get(f"/api/v1/users/{carol.pk}").status_code == 200
    assert search(api, "carol") == ["carol"]


def test_the_feeds_internal_look_ups_are_not_filtered(pair):
    carol, dave, _ = pair
    assert get_user_summary(user_id=carol.pk) == carol
    assert [user.pk for user in user_summaries(user_ids=[carol.pk, dave.pk])] == [
        carol.pk,
        dave.pk,
    ]


def test_a_search_by_a_blocked_viewer_stays_one_query_whatever_the_page_size(make_user):
    viewer = make_user(username="viewer")
    for n in range(30):
        blocker = make_user(username=f"q{n}")
        if n % 3 == 0:
            block(blocker.pk, viewer.pk)
    api = as_user(viewer)
    counts = []
    for size in (1, 20):
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/users", {"search": "q", "page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
