"""/api/v1/notifications...: the contract's status codes, keys and orders, and fixed queries."""

import pytest

from actors.services import ActorSummary, apply_account_state
from notifications.models import Notification
from notifications.tests import events

pytestmark = pytest.mark.django_db

ANN, BOB, CAT, DAN = 1, 2, 3, 4
URL = "/api/v1/notifications"
NOTIFICATION_KEYS = {"id", "type", "actor", "post_id", "comment_id", "created_at", "read"}
GROUP_KEYS = {"id", "type", "post_id", "comment_id", "actors", "actor_count", "latest_at", "read"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", URL),
        ("get", f"{URL}/unread_count"),
        ("post", f"{URL}/read"),
        ("get", f"{URL}/settings"),
        ("patch", f"{URL}/settings"),
    ],
)
def test_every_endpoint_needs_a_token(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_the_list_is_newest_first_with_the_contract_keys(client_for):
    apply_account_state(sequence=1, summary=ActorSummary(BOB, "bob", "http://127.0.0.1:8000/b.png"))
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.follow(follower_id=CAT, followee_id=ANN)
    events.like(post_id=20, author_id=BOB, user_id=ANN)
    response = client_for(ANN).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["next"], body["previous"]) == (None, None)
    follow, like = body["results"]
    assert set(like) == NOTIFICATION_KEYS
    assert (follow["type"], like["type"]) == ("follow", "like")
    assert like["actor"] == {
        "id": BOB,
        "username": "bob",
        "avatar_url": "http://127.0.0.1:8000/b.png",
    }
    assert (like["post_id"], like["comment_id"], like["read"]) == (10, None, False)
    assert like["created_at"].endswith("Z")


def test_types_filters_and_an_unknown_type_is_a_400(client_for):
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.follow(follower_id=CAT, followee_id=ANN)
    events.comment(comment_id=5, post_id=10, post_author_id=ANN, user_id=DAN)
    client = client_for(ANN)
    types = [item["type"] for item in client.get(URL, {"types": "like,comment"}).json()["results"]]
    assert types == ["comment", "like"]
    response = client.get(URL, {"types": "like,shout"})
    assert response.status_code == 400
    assert "types" in response.json()


def test_following_next_visits_every_notification_once(client_for):
    for post_id in range(10, 17):
        events.like(post_id=post_id, author_id=ANN, user_id=BOB)
    client, seen, url = client_for(ANN), [], f"{URL}?page_size=3"
    while url:
        response = client.get(url)
        seen += [item["post_id"] for item in response.json()["results"]]
        url = response.json()["next"]
    assert seen == list(range(16, 9, -1))
    assert 'rel="next"' in client.get(f"{URL}?page_size=3")["Link"]


def test_grouped_folds_likes_of_a_post_and_follows_of_a_day(client_for):
    for liker in (BOB, CAT, DAN, 5):
        events.like(post_id=10, author_id=ANN, user_id=liker)
    events.comment(comment_id=7, post_id=10, post_author_id=ANN, user_id=BOB)
    events.follow(follower_id=BOB, followee_id=ANN)
    events.follow(follower_id=CAT, followee_id=ANN)
    events.like(post_id=11, author_id=ANN, user_id=BOB)
    client_for(ANN).post(f"{URL}/read")
    events.like(post_id=10, author_id=ANN, user_id=6)
    response = client_for(ANN).get(URL, {"grouped": "true"})
    assert response.status_code == 200
    groups = response.json()["results"]
    assert all(set(group) == GROUP_KEYS for group in groups)
    summary = [(g["type"], g["post_id"], g["actor_count"], g["read"]) for g in groups]
    assert summary == [
        ("like", 10, 5, False),
        ("like", 11, 1, True),
        ("follow", None, 2, True),
        ("comment", 10, 1, True),
    ]
    assert [actor["id"] for actor in groups[0]["actors"]] == [6, 5, DAN]
    newest = Notification.objects.filter(post_id=10, type="like").latest("id")
    assert groups[0]["id"] == newest.id
    assert groups[0]["latest_at"] == newest.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_grouped_pages_visit_every_group_once(client_for):
    for post_id in range(10, 15):
        for liker in (BOB, CAT):
            events.like(post_id=post_id, author_id=ANN, user_id=liker)
    client, seen, url = client_for(ANN), [], f"{URL}?grouped=true&page_size=2"
    while url:
        body = client.get(url).json()
        seen += [group["post_id"] for group in body["results"]]
        url = body["next"]
    assert seen == [14, 13, 12, 11, 10]
    response = client.get(
        f"{URL}?grouped=true&cursor=eyJwIjpbeyJkdCI6IjIwMjYtMDEtMDFUMDA6MDA6MDBaIn1dfQ=="
    )
    assert response.status_code == 400


def test_list_and_grouped_pages_cost_the_same_queries_whatever_their_size(
    client_for, django_assert_num_queries
):
    for post_id in range(10, 40):
        events.like(post_id=post_id, author_id=ANN, user_id=post_id)
        events.like(post_id=post_id, author_id=ANN, user_id=post_id + 100)
    client = client_for(ANN)
    # Authentication's deleted-account check, then the page.
    for size in (1, 50):
        with django_assert_num_queries(2):
            assert len(client.get(URL, {"page_size": size}).json()["results"]) == size
    for size in (1, 25):
        with django_assert_num_queries(3):
            response = client.get(URL, {"page_size": size, "grouped": "true"})
            assert len(response.json()["results"]) == size


def test_unread_count_and_read_up_to_an_id(client_for, django_assert_num_queries):
    for post_id in (10, 11, 12):
        events.like(post_id=post_id, author_id=ANN, user_id=BOB)
    client = client_for(ANN)
    with django_assert_num_queries(2):
        assert client.get(f"{URL}/unread_count").json() == {"count": 3}
    second = client.get(URL).json()["results"][1]["id"]
    assert client.post(f"{URL}/read", {"up_to_id": second}, format="json").status_code == 204
    assert client.get(f"{URL}/unread_count").json() == {"count": 1}
    assert [item["read"] for item in client.get(URL).json()["results"]] == [False, True, True]
    assert client.post(f"{URL}/read").status_code == 204
    assert client.get(f"{URL}/unread_count").json() == {"count": 0}


@pytest.mark.parametrize("up_to_id", [0, -1, "x", 2**63, None, True])
def test_read_refuses_a_bad_up_to_id(client_for, up_to_id):
    response = client_for(ANN).post(f"{URL}/read", {"up_to_id": up_to_id}, format="json")
    assert response.status_code == 400
    assert "up_to_id" in response.json()


def test_someone_elses_notifications_are_neither_listed_nor_marked(client_for):
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    client = client_for(CAT)
    assert client.get(URL).json()["results"] == []
    client.post(f"{URL}/read")
    assert client_for(ANN).get(f"{URL}/unread_count").json() == {"count": 1}


def test_settings_default_to_true_and_patch_changes_only_what_it_names(
    client_for, django_assert_num_queries
):
    client = client_for(ANN)
    every = [
        "like",
        "comment",
        "reply",
        "mention",
        "follow",
        "follow_request",
        "follow_accepted",
        "comment_like",
    ]
    with django_assert_num_queries(2):
        assert client.get(f"{URL}/settings").json() == dict.fromkeys(every, True)
    response = client.patch(f"{URL}/settings", {"like": False, "follow": False}, format="json")
    assert response.status_code == 200
    expected = {**dict.fromkeys(every, True), "like": False, "follow": False}
    assert response.json() == expected
    assert client.patch(f"{URL}/settings", {"follow": True}, format="json").json() == {
        **expected,
        "follow": True,
    }
    assert client.get(f"{URL}/settings").json() == {**expected, "follow": True}
    assert client_for(BOB).get(f"{URL}/settings").json() == dict.fromkeys(every, True)


@pytest.mark.parametrize("body", [{"like": "maybe"}, {"like": None}, ["like"]])
def test_settings_refuse_what_is_not_a_boolean(client_for, body):
    response = client_for(ANN).patch(f"{URL}/settings", body, format="json")
    assert response.status_code == 400


def test_a_deleted_accounts_token_is_refused(client_for):
    events.delete_account(ANN)
    response = client_for(ANN).get(URL)
    assert response.status_code == 401


def test_a_rename_shows_in_every_notification_of_the_actor(client_for):
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.follow(follower_id=BOB, followee_id=ANN)
    apply_account_state(sequence=9, summary=ActorSummary(BOB, "robert", None))
    names = {item["actor"]["username"] for item in client_for(ANN).get(URL).json()["results"]}
    assert names == {"robert"}
