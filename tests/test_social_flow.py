"""Follows, stats and the home timeline, end to end through the gateway."""

import os
import signal

from tests.conftest import sign_up
from tests.test_walking_skeleton import _listening_pids


def post(api, account, title: str) -> int:
    created = api.post("/api/v1/posts", json={"title": title}, headers=account.auth)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def feed_ids(api, account) -> list[int]:
    response = api.get("/api/v1/feed", headers=account.auth)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["results"]]


def test_follow_then_the_followees_posts_appear_in_the_feed_and_leave_it_on_unfollow(api):
    reader, author = sign_up(api), sign_up(api)
    theirs = post(api, author, "from the author")
    mine = post(api, reader, "from the reader")
    assert feed_ids(api, reader) == [mine]

    first = api.post(f"/api/v1/users/{author.id}/follow", headers=reader.auth)
    again = api.post(f"/api/v1/users/{author.id}/follow/", headers=reader.auth)
    assert (first.status_code, first.json()) == (201, {"following": True})
    assert (again.status_code, again.json()) == (200, {"following": True})

    newer = post(api, author, "after the follow")
    assert feed_ids(api, reader) == [newer, mine, theirs]
    page = api.get("/api/v1/feed", headers=reader.auth).json()["results"]
    assert page[0]["author"] == {"id": author.id, "username": author.username, "avatar_url": None}

    gone = api.delete(f"/api/v1/users/{author.id}/follow", headers=reader.auth)
    assert gone.status_code == 204
    assert api.delete(f"/api/v1/users/{author.id}/follow", headers=reader.auth).status_code == 204
    assert feed_ids(api, reader) == [mine]


def test_stats_count_posts_and_follows_and_say_whether_the_caller_follows(api):
    ann, bob, cid = sign_up(api), sign_up(api), sign_up(api)
    post(api, bob, "one")
    post(api, bob, "two")
    api.post(f"/api/v1/users/{bob.id}/follow", headers=ann.auth)
    api.post(f"/api/v1/users/{bob.id}/follow", headers=cid.auth)
    api.post(f"/api/v1/users/{ann.id}/follow", headers=bob.auth)

    as_ann = api.get(f"/api/v1/users/{bob.id}/stats", headers=ann.auth)
    anonymous = api.get(f"/api/v1/users/{bob.id}/stats")

    assert as_ann.status_code == 200
    assert as_ann.json() == {
        "user_id": bob.id,
        "posts_count": 2,
        "followers_count": 2,
        "following_count": 1,
        "followed_by_me": True,
        "follow_requested_by_me": False,
        "blocked_by_me": False,
        "muted_by_me": False,
    }
    assert anonymous.json()["followed_by_me"] is False

    api.delete(f"/api/v1/users/{bob.id}/follow", headers=cid.auth)
    assert api.get(f"/api/v1/users/{bob.id}/stats").json()["followers_count"] == 1


def test_followers_and_following_lists_page_newest_first_with_link_headers(api):
    star = sign_up(api)
    fans = [sign_up(api) for _ in range(3)]
    for fan in fans:
        assert api.post(f"/api/v1/users/{star.id}/follow", headers=fan.auth).status_code == 201

    seen, url = [], f"/api/v1/users/{star.id}/followers?page_size=2"
    while url:
        response = api.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += body["results"]
        url = body["next"]
        links = response.headers.get("Link", "")
        if body["next"]:
            assert f'<{body["next"]}>; rel="next"' in links
        if body["previous"]:
            assert f'<{body["previous"]}>; rel="prev"' in links
    assert [user["id"] for user in seen] == [fan.id for fan in reversed(fans)]
    assert seen[0] == {"id": fans[-1].id, "username": fans[-1].username, "avatar_url": None}

    following = api.get(f"/api/v1/users/{fans[0].id}/following").json()["results"]
    assert following == [{"id": star.id, "username": star.username, "avatar_url": None}]


def test_follow_errors_are_json_with_the_contracts_status_codes(api):
    account = sign_up(api)

    own = api.post(f"/api/v1/users/{account.id}/follow", headers=account.auth)
    unknown = api.post("/api/v1/users/987654321/follow", headers=account.auth)
    anonymous = api.post(f"/api/v1/users/{account.id}/follow")
    feed = api.get("/api/v1/feed")

    assert (own.status_code, own.json()) == (400, {"detail": "You cannot follow yourself."})
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"detail"}
    assert anonymous.status_code == 401
    assert feed.status_code == 401
    assert set(feed.json()) == {"detail"}


def test_while_the_users_service_hangs_unknown_ids_are_a_503_and_known_users_still_work(stack, api):
    reader, known = sign_up(api), sign_up(api)
    post(api, known, "the feed has met me")  # writing puts the author in the feed's replica
    users_pids = _listening_pids(int(stack.users_url.rsplit(":", 1)[1]))
    assert users_pids
    for pid in users_pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        unknown = api.post("/api/v1/users/987654321/follow", headers=reader.auth)
        replica = api.post(f"/api/v1/users/{known.id}/follow", headers=reader.auth)
    finally:
        for pid in users_pids:
            os.kill(pid, signal.SIGCONT)

    assert unknown.status_code == 503
    assert unknown.headers["Content-Type"].startswith("application/json")
    assert unknown.json() == {"detail": "users service unreachable"}
    assert replica.status_code == 201
    # Once the users service answers again, it can say the id does not exist.
    assert api.post("/api/v1/users/987654321/follow", headers=reader.auth).status_code == 404
