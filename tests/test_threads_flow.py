"""A post with a hashtag and a mention, a reply and a comment like, end to end through the real
nginx gateway: the mentioned friend is notified, finds the post on its tag's page, replies, and
the author hears of the reply and of the like (the other tests' posts share the database: every
name here is unique)."""

import uuid

from tests.conftest import Account, Api, sign_up
from tests.events import wait_for


def notifications(api: Api, account: Account, type: str) -> list[dict]:
    response = api.get("/api/v1/notifications", params={"types": type}, headers=account.auth)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_a_tagged_post_mentions_a_friend_who_finds_it_by_its_tag_and_replies(api):
    author, friend = sign_up(api), sign_up(api)
    tag = f"바다{uuid.uuid4().hex[:8]}"
    created = api.post(
        "/api/v1/posts",
        headers=author.auth,
        json={"title": f"#{tag} with @{friend.username}!", "hide_like_count": True},
    )
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["hashtags"] == [tag]
    assert post["mentions"] == [{"id": friend.id, "username": friend.username, "avatar_url": None}]

    # The friend hears of the mention, and finds the post on the tag's page.
    [mention] = wait_for(
        lambda: notifications(api, friend, "mention"), "the mention notification", 10
    )
    assert (mention["actor"]["id"], mention["post_id"]) == (author.id, post["id"])
    assert api.get(f"/api/v1/tags/{tag}").json() == {"name": tag, "post_count": 1}
    tagged = api.get(f"/api/v1/tags/{tag}/posts", headers=friend.auth).json()["results"]
    assert [item["id"] for item in tagged] == [post["id"]]

    # The author comments; the friend replies to it and likes it.
    comment = api.post(
        f"/api/v1/posts/{post['id']}/comments", headers=author.auth, json={"body": "first!"}
    ).json()
    reply = api.post(
        f"/api/v1/posts/{post['id']}/comments",
        headers=friend.auth,
        json={"body": "so blue", "parent_id": comment["id"]},
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["parent_id"] == comment["id"]
    liked = api.post(f"/api/v1/comments/{comment['id']}/like", headers=friend.auth)
    assert (liked.status_code, liked.json()) == (201, {"liked": True, "like_count": 1})

    # The author hears of the reply and of the like.
    [replied] = wait_for(lambda: notifications(api, author, "reply"), "the reply notification", 10)
    assert (replied["actor"]["id"], replied["comment_id"]) == (friend.id, reply.json()["id"])
    wait_for(lambda: notifications(api, author, "comment_like"), "the comment like", 10)

    # The thread: one top-level comment, its reply, and the counts.
    top = api.get(f"/api/v1/posts/{post['id']}/comments", headers=friend.auth).json()["results"]
    assert [(c["id"], c["reply_count"], c["liked_by_me"]) for c in top] == [
        (comment["id"], 1, True)
    ]
    replies = api.get(f"/api/v1/comments/{comment['id']}/replies").json()["results"]
    assert [r["id"] for r in replies] == [reply.json()["id"]]
    read = api.get(f"/api/v1/posts/{post['id']}", headers=friend.auth).json()
    assert (read["comment_count"], read["like_count"]) == (2, None)  # the count is hidden

    # Turning comments off closes the thread; deleting the comment takes its reply.
    closed = api.patch(
        f"/api/v1/posts/{post['id']}", headers=author.auth, json={"comments_disabled": True}
    )
    assert closed.json()["comments_disabled"] is True
    refused = api.post(
        f"/api/v1/posts/{post['id']}/comments", headers=friend.auth, json={"body": "late"}
    )
    assert refused.status_code == 403
    assert api.delete(f"/api/v1/comments/{comment['id']}", headers=author.auth).status_code == 204
    assert api.get(f"/api/v1/posts/{post['id']}").json()["comment_count"] == 0
    wait_for(lambda: not notifications(api, author, "reply"), "the reply to be withdrawn", 10)
