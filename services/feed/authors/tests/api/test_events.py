"""POST /internal/v1/events: the users service's dispatcher delivering account events."""

import logging

import pytest

from actions.posts import create_post
from authors.models import Author
from posts.models import Post

pytestmark = pytest.mark.django_db

URL = "/internal/v1/events"


def event(event_id: int = 1, type: str = "user.updated", user_id: int = 7, **data: object):
    return {
        "id": event_id,
        "type": type,
        "user_id": user_id,
        "occurred_at": "2026-11-27T10:00:00.123456Z",
        "data": {"username": "ann", "avatar_url": None, **data},
    }


@pytest.fixture
def internal(client, settings):
    client.credentials(HTTP_X_INTERNAL_TOKEN=settings.INTERNAL_API_TOKEN)
    return client


def test_an_event_is_applied_then_its_repeat_is_ignored_and_each_delivery_logged(internal, caplog):
    with caplog.at_level(logging.INFO, logger="authors.api.events"):
        first = internal.post(URL, event(3, username="ann2"), format="json")
        again = internal.post(URL, event(3, username="ann2"), format="json")

    assert (first.status_code, first.json()) == (200, {"status": "applied"})
    assert (again.status_code, again.json()) == (200, {"status": "ignored"})
    assert Author.objects.get(pk=7).username == "ann2"
    logged = [r for r in caplog.records if r.name == "authors.api.events"]
    assert [(r.message, r.event_id, r.user_id) for r in logged] == [
        ("account event applied", 3, 7),
        ("account event ignored", 3, 7),
    ]


def test_an_old_event_replayed_after_a_newer_one_is_ignored(internal):
    assert internal.post(URL, event(1, type="user.created"), format="json").status_code == 200
    newer = internal.post(
        URL,
        event(2, username="renamed", avatar_url="http://127.0.0.1:8000/media/a.png"),
        format="json",
    )
    assert newer.json() == {"status": "applied"}

    replay = internal.post(URL, event(1, type="user.created"), format="json")

    assert (replay.status_code, replay.json()) == (200, {"status": "ignored"})
    author = Author.objects.get(pk=7)
    assert (author.username, author.avatar_url) == (
        "renamed",
        "http://127.0.0.1:8000/media/a.png",
    )


@pytest.mark.parametrize("data", [{}, None])
def test_a_deletion_needs_no_data(internal, data):
    create_post(author_id=7, title="soon gone")
    body = {**event(4, type="user.deleted"), "data": data}
    if data is None:
        del body["data"]

    response = internal.post(URL, body, format="json")

    assert (response.status_code, response.json()) == (200, {"status": "applied"})
    assert not Post.objects.filter(author_id=7).exists()
    assert Author.objects.get(pk=7).deleted_at is not None


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_without_the_internal_token_it_is_403_and_nothing_changes(client, token):
    if token is not None:
        client.credentials(HTTP_X_INTERNAL_TOKEN=token)

    response = client.post(URL, event(1), format="json")

    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert not Author.objects.exists()


def test_a_users_jwt_is_no_substitute_for_the_internal_token(client_for):
    response = client_for(7).post(URL, event(1), format="json")
    assert response.status_code == 403
    assert not Author.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "user.updated", "user_id": 7, "occurred_at": "2026-11-27T10:00:00Z"}, "id"),
        ({**event(), "id": 0}, "id"),
        ({**event(), "id": "seven"}, "id"),
        ({**event(), "id": 2**63}, "id"),
        ({**event(), "type": "user.renamed"}, "type"),
        ({**event(), "user_id": -1}, "user_id"),
        ({**event(), "user_id": None}, "user_id"),
        ({**event(), "occurred_at": "yesterday"}, "occurred_at"),
        ({**event(), "data": {"avatar_url": None}}, "data"),
        ({**event(), "data": {"username": ""}}, "data"),
        ({**event(), "data": {"username": "x" * 151}}, "data"),
        ({**event(), "data": {"username": "ann", "avatar_url": "not a url"}}, "data"),
        ({**event(), "data": ["ann"]}, "data"),
        ({**event(type="user.created"), "data": None}, "data"),
    ],
)
def test_a_malformed_event_is_a_logged_400_naming_the_field(internal, caplog, body, field):
    with caplog.at_level(logging.ERROR, logger="authors.api.events"):
        response = internal.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Author.objects.exists()
    assert [record.message for record in caplog.records] == ["malformed account event refused"]


def test_a_body_that_is_not_an_object_or_not_json_is_a_logged_400(internal, caplog):
    with caplog.at_level(logging.ERROR, logger="authors.api.events"):
        as_list = internal.post(URL, [event()], format="json")
        not_json = internal.post(URL, "{not json", content_type="application/json")

    assert as_list.status_code == not_json.status_code == 400
    assert "non_field_errors" in as_list.json()
    assert "detail" in not_json.json()
    assert len(caplog.records) == 2


def test_only_post_is_allowed(internal):
    assert internal.get(URL).status_code == 405
