"""Private accounts, follow requests, blocks and mutes end to end through the gateway: the two
stories of issue 18, and the rows of "Feed service: follow requests, blocks, mutes"."""

from tests.conftest import Account, sign_up
from tests.events import wait_for


def post(api, account: Account, title: str) -> int:
    created = api.post("/api/v1/posts", json={"title": title}, headers=account.auth)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["results"]]


def feed(api, account: Account) -> list[int]:
    return ids(api.get("/api/v1/feed?page_size=100", headers=account.auth))


def test_a_goes_private_b_asks_a_accepts_and_b_sees_as_posts(api):
    a, b = sign_up(api), sign_up(api)
    first = post(api, a, "before going private")
    changed = api.patch("/api/v1/users/me", json={"is_private": True}, headers=a.auth)
    assert changed.status_code == 200, changed.text
    assert changed.json()["is_private"] is True
    # The feed learns the switch from the account event.
    wait_for(
        lambda: api.get(f"/api/v1/users/{a.id}/posts", headers=b.auth).status_code == 403,
        "the feed to hold a's account private",
    )
    second = post(api, a, "for followers only")

    assert api.get(f"/api/v1/posts/{first}", headers=b.auth).status_code == 404
    assert api.get(f"/api/v1/posts/{second}/comments").status_code == 404
    assert api.get(f"/api/v1/users/{a.id}/followers", headers=b.auth).status_code == 403
    stats = api.get(f"/api/v1/users/{a.id}/stats", headers=b.auth)
    assert stats.status_code == 200
    assert stats.json()["posts_count"] == 2

    asked = api.post(f"/api/v1/users/{a.id}/follow", headers=b.auth)
    again = api.post(f"/api/v1/users/{a.id}/follow", headers=b.auth)
    assert (asked.status_code, asked.json()) == (202, {"following": False, "requested": True})
    assert again.status_code == 202
    assert api.get(f"/api/v1/users/{a.id}/stats", headers=b.auth).json()["follow_requested_by_me"]
    assert feed(api, b) == []
    requests_ = api.get("/api/v1/follow-requests", headers=a.auth)
    assert requests_.status_code == 200
    assert requests_.json()["results"] == [{"id": b.id, "username": b.username, "avatar_url": None}]

    accepted = api.post(f"/api/v1/follow-requests/{b.id}/accept", headers=a.auth)
    assert accepted.status_code == 204, accepted.text
    assert api.post(f"/api/v1/follow-requests/{b.id}/accept", headers=a.auth).status_code == 404

    assert ids(api.get(f"/api/v1/users/{a.id}/posts", headers=b.auth)) == [second, first]
    assert api.get(f"/api/v1/posts/{first}", headers=b.auth).status_code == 200
    assert feed(api, b) == [second, first]
    followed = api.post(f"/api/v1/users/{a.id}/follow", headers=b.auth)
    assert (followed.status_code, followed.json()) == (200, {"following": True})
    stats = api.get(f"/api/v1/users/{a.id}/stats", headers=b.auth).json()
    assert (stats["followers_count"], stats["followed_by_me"]) == (1, True)
    # Still private to everyone else.
    assert api.get(f"/api/v1/posts/{first}").status_code == 404


def test_going_public_accepts_every_pending_request(api):
    a, b, c = sign_up(api), sign_up(api), sign_up(api)
    api.patch("/api/v1/users/me", json={"is_private": True}, headers=a.auth)
    wait_for(
        lambda: api.get(f"/api/v1/users/{a.id}/posts").status_code == 403,
        "the feed to hold a's account private",
    )
    assert api.post(f"/api/v1/users/{a.id}/follow", headers=b.auth).status_code == 202
    assert api.post(f"/api/v1/users/{a.id}/follow", headers=c.auth).status_code == 202
    rejected = api.post(f"/api/v1/follow-requests/{c.id}/reject", headers=a.auth)
    assert rejected.status_code == 204
    api.post(f"/api/v1/users/{a.id}/follow", headers=c.auth)
    withdrawn = api.delete(f"/api/v1/users/{a.id}/follow", headers=c.auth)
    assert withdrawn.status_code == 204
    assert api.get("/api/v1/follow-requests", headers=a.auth).json()["results"] == [
        {"id": b.id, "username": b.username, "avatar_url": None}
    ]

    api.patch("/api/v1/users/me", json={"is_private": False}, headers=a.auth)

    wait_for(
        lambda: api.get(f"/api/v1/users/{a.id}/stats", headers=b.auth).json()["followed_by_me"],
        "going public to accept b's request",
    )
    assert api.get("/api/v1/follow-requests", headers=a.auth).json()["results"] == []
    stats = api.get(f"/api/v1/users/{a.id}/stats").json()
    assert stats["followers_count"] == 1


def test_c_blocks_d_d_loses_every_trace_of_c_and_after_unblocking_sees_cs_public_posts(api):
    c, d, e = sign_up(api), sign_up(api), sign_up(api)
    assert api.post(f"/api/v1/users/{c.id}/follow", headers=d.auth).status_code == 201
    assert api.post(f"/api/v1/users/{d.id}/follow", headers=c.auth).status_code == 201
    cs = post(api, c, "by c")
    es = post(api, e, "by e")
    assert api.post(f"/api/v1/posts/{es}/like", headers=c.auth).status_code == 201
    comment = api.post(f"/api/v1/posts/{es}/comments", json={"body": "c was here"}, headers=c.auth)
    assert comment.status_code == 201
    assert cs in feed(api, d)

    blocked = api.post(f"/api/v1/users/{d.id}/block", headers=c.auth)
    again = api.post(f"/api/v1/users/{d.id}/block", headers=c.auth)
    assert (blocked.status_code, blocked.json()) == (201, {"blocking": True})
    assert again.status_code == 200
    assert api.get("/api/v1/blocks", headers=c.auth).json()["results"] == [
        {"id": d.id, "username": d.username, "avatar_url": None}
    ]

    # D: no post, no list, no like, no comment, no follow of C's.
    assert api.get(f"/api/v1/posts/{cs}", headers=d.auth).status_code == 404
    assert api.get(f"/api/v1/posts/{cs}/likes", headers=d.auth).status_code == 404
    assert ids(api.get(f"/api/v1/users/{c.id}/posts", headers=d.auth)) == []
    assert cs not in feed(api, d)
    assert ids(api.get(f"/api/v1/posts/{es}/likes", headers=d.auth)) == []
    comments = api.get(f"/api/v1/posts/{es}/comments", headers=d.auth)
    assert comments.json()["results"] == []
    assert ids(api.get(f"/api/v1/users/{d.id}/followers", headers=d.auth)) == []
    assert ids(api.get(f"/api/v1/users/{d.id}/following", headers=d.auth)) == []
    assert api.post(f"/api/v1/posts/{cs}/like", headers=d.auth).status_code == 404
    commented = api.post(f"/api/v1/posts/{cs}/comments", json={"body": "hi"}, headers=d.auth)
    assert commented.status_code == 404
    assert api.post(f"/api/v1/users/{c.id}/follow", headers=d.auth).status_code == 404
    wait_for(
        lambda: api.get(f"/api/v1/users/{c.id}", headers=d.auth).status_code == 404,
        "the users service to hide c's profile from d",
    )
    # C acts on D: 403 to follow, D's posts are 404 to C too.
    assert api.post(f"/api/v1/users/{d.id}/follow", headers=c.auth).status_code == 403
    ds = post(api, d, "by d")
    assert api.get(f"/api/v1/posts/{ds}", headers=c.auth).status_code == 404
    # The follows both ways are gone, counted.
    for user in (c, d):
        stats = api.get(f"/api/v1/users/{user.id}/stats", headers=e.auth).json()
        assert (stats["followers_count"], stats["following_count"]) == (0, 0)
    # Everyone else sees all of it.
    assert ids(api.get(f"/api/v1/posts/{es}/likes", headers=e.auth)) == [c.id]

    assert api.delete(f"/api/v1/users/{d.id}/block", headers=c.auth).status_code == 204
    assert api.delete(f"/api/v1/users/{d.id}/block", headers=c.auth).status_code == 204

    assert ids(api.get(f"/api/v1/users/{c.id}/posts", headers=d.auth)) == [cs]
    assert api.get(f"/api/v1/posts/{cs}", headers=d.auth).status_code == 200
    stats = api.get(f"/api/v1/users/{c.id}/stats", headers=d.auth).json()
    assert stats["followed_by_me"] is False
    assert stats["blocked_by_me"] is False
    assert cs not in feed(api, d)  # the old follow did not come back


def test_a_mute_takes_the_muted_out_of_the_muters_feed_and_nothing_else(api):
    muter, muted = sign_up(api), sign_up(api)
    api.post(f"/api/v1/users/{muted.id}/follow", headers=muter.auth)
    theirs = post(api, muted, "loud")
    assert theirs in feed(api, muter)

    first = api.post(f"/api/v1/users/{muted.id}/mute", headers=muter.auth)
    assert (first.status_code, first.json()) == (201, {"muting": True})
    assert api.post(f"/api/v1/users/{muted.id}/mute", headers=muter.auth).status_code == 200
    assert api.get("/api/v1/mutes", headers=muter.auth).json()["results"] == [
        {"id": muted.id, "username": muted.username, "avatar_url": None}
    ]

    assert theirs not in feed(api, muter)
    assert api.get(f"/api/v1/posts/{theirs}", headers=muter.auth).status_code == 200
    assert (
        api.get(f"/api/v1/users/{muter.id}/stats", headers=muted.auth).json()["muted_by_me"]
        is False
    )

    assert api.delete(f"/api/v1/users/{muted.id}/mute", headers=muter.auth).status_code == 204
    assert theirs in feed(api, muter)
