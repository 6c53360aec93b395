"""/mastodon/api/v1/notifications...: Mastodon's Notification from the native rows."""

import pytest

from notifications.models import Notification
from notifications.tests import events

pytestmark = pytest.mark.django_db

ANN, BOB, CAT, DAN = 1, 2, 3, 4
URL = "/mastodon/api/v1/notifications"
# Mastodon 4.3's documented attributes of a Notification.
NOTIFICATION_KEYS = {"id", "type", "group_key", "created_at", "account", "status"}


def test_types_are_mastodons_and_a_comment_is_a_mention(client_for):
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.follow(follower_id=CAT, followee_id=ANN)
    events.comment(comment_id=5, post_id=10, post_author_id=ANN, user_id=DAN)
    response = client_for(ANN).get(URL)
    assert response.status_code == 200
    mention, follow, favourite = response.json()
    assert set(favourite) == NOTIFICATION_KEYS
    assert [n["type"] for n in (mention, follow, favourite)] == ["mention", "follow", "favourite"]
    assert (mention["account"]["id"], mention["status"]["id"]) == (str(DAN), "c5")
    assert favourite["status"]["id"] == "10"
    assert favourite["status"]["account"]["id"] == str(ANN)
    assert follow["status"] is None
    assert isinstance(favourite["id"], str)


def test_types_filter_pages_with_link_and_clear(client_for):
    for post_id in range(10, 13):
        events.like(post_id=post_id, author_id=ANN, user_id=BOB)
    events.follow(follower_id=CAT, followee_id=ANN)
    client = client_for(ANN)
    follows = client.get(URL, {"types[]": ["follow"]}).json()
    assert [n["type"] for n in follows] == ["follow"]
    excluded = client.get(URL, {"exclude_types[]": ["follow"]}).json()
    assert {n["type"] for n in excluded} == {"favourite"}
    first = client.get(URL, {"limit": 2})
    assert len(first.json()) == 2
    next_url = first["Link"].split(">")[0][1:]
    assert "max_id=" in next_url
    assert len(client.get(next_url).json()) == 2
    assert client.post(f"{URL}/clear").json() == {}
    assert not Notification.objects.filter(recipient_id=ANN).exists()
    assert client.get(f"{URL}/1").status_code == 404


def test_a_token_is_needed_and_errors_are_mastodons(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert set(response.json()) == {"error"}
