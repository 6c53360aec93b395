"""Notifications made from the feed's and the users service's events, through the gateway, and
the services' independence: each keeps answering while the others are stopped.

"Stopped" is SIGSTOP on every process of a service (its gunicorn and its event workers): a
service that hangs is the harder case for its neighbours, and SIGCONT brings it back as it was.
"""

import contextlib
import os
import signal
import uuid
from collections.abc import Iterator

from tests.conftest import Account, Api, sign_up
from tests.events import broker_pid, stack_pids, wait_for

NOTIFICATIONS = "/api/v1/notifications"


@contextlib.contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def notifications(api: Api, account: Account, **params: str) -> list[dict]:
    response = api.get(NOTIFICATIONS, params=params, headers=account.auth)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def post(api: Api, account: Account) -> int:
    created = api.post("/api/v1/posts", json={"title": "hello"}, headers=account.auth)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def like_notifications(api: Api, account: Account, post_id: int) -> list[dict]:
    return [
        n for n in notifications(api, account) if n["type"] == "like" and n["post_id"] == post_id
    ]


def test_a_like_notifies_the_author_within_seconds_and_an_unlike_withdraws_it(api):
    ann, bob = sign_up(api), sign_up(api)
    post_id = post(api, ann)
    assert api.post(f"/api/v1/posts/{post_id}/like", headers=bob.auth).status_code == 201
    [like] = wait_for(lambda: like_notifications(api, ann, post_id), "the like notification", 10)
    assert like["actor"] == {"id": bob.id, "username": bob.username, "avatar_url": None}
    assert like["read"] is False
    assert api.get(f"{NOTIFICATIONS}/unread_count", headers=ann.auth).json() == {"count": 1}
    # Liking one's own post notifies nobody.
    api.post(f"/api/v1/posts/{post_id}/like", headers=ann.auth)
    assert api.delete(f"/api/v1/posts/{post_id}/like", headers=bob.auth).status_code == 204
    wait_for(lambda: not like_notifications(api, ann, post_id), "the like to be withdrawn", 10)
    assert notifications(api, ann) == []


def test_the_likes_request_id_reaches_the_notifications_consumers_log(stack, api):
    ann, bob = sign_up(api), sign_up(api)
    post_id = post(api, ann)
    request_id = f"e2e-like-{uuid.uuid4().hex[:12]}"
    liked = api.post(
        f"/api/v1/posts/{post_id}/like", headers={**bob.auth, "X-Request-ID": request_id}
    )
    assert liked.status_code == 201
    log_file = stack.work_dir / "var" / "log" / "stack.log"
    wait_for(
        lambda: [
            line
            for line in log_file.read_text().splitlines()
            if request_id in line and '"service": "notifications"' in line
        ],
        "the notifications consumer's log line with the like's request id",
        10,
    )


def test_comments_and_follows_notify_and_their_undoing_withdraws_them(api):
    ann, bob = sign_up(api), sign_up(api)
    post_id = post(api, ann)
    comment = api.post(
        f"/api/v1/posts/{post_id}/comments", json={"body": "nice"}, headers=bob.auth
    ).json()
    assert api.post(f"/api/v1/users/{ann.id}/follow", headers=bob.auth).status_code == 201
    wait_for(
        lambda: {n["type"] for n in notifications(api, ann)} == {"comment", "follow"},
        "the comment and follow notifications",
        10,
    )
    [by_type] = notifications(api, ann, types="comment")
    assert (by_type["post_id"], by_type["comment_id"]) == (post_id, comment["id"])
    api.delete(f"/api/v1/comments/{comment['id']}", headers=bob.auth)
    api.delete(f"/api/v1/users/{ann.id}/follow", headers=bob.auth)
    wait_for(lambda: notifications(api, ann) == [], "the withdrawals", 10)


def test_a_rename_shows_in_notifications_and_a_deleted_account_takes_its_own_with_it(api):
    ann, bob, cat = sign_up(api), sign_up(api), sign_up(api)
    post_id = post(api, ann)
    api.post(f"/api/v1/posts/{post_id}/like", headers=bob.auth)
    api.post(f"/api/v1/posts/{post_id}/like", headers=cat.auth)
    wait_for(lambda: len(notifications(api, ann)) == 2, "both likes", 10)
    grouped = notifications(api, ann, grouped="true")
    assert [(g["type"], g["actor_count"]) for g in grouped] == [("like", 2)]
    new_name = f"bob_{uuid.uuid4().hex[:8]}"
    api.patch("/api/v1/users/me", json={"username": new_name}, headers=bob.auth)
    wait_for(
        lambda: new_name in {n["actor"]["username"] for n in notifications(api, ann)},
        "the new name",
        10,
    )
    deleted = api.delete("/api/v1/users/me", json={"password": cat.password}, headers=cat.auth)
    assert deleted.status_code == 204
    wait_for(
        lambda: [n["actor"]["id"] for n in notifications(api, ann)] == [bob.id],
        "the deleted account's notification to go",
        10,
    )


def test_users_and_feed_work_while_notifications_is_stopped_and_it_catches_up(stack, api):
    ann, bob = sign_up(api), sign_up(api)
    post_id = post(api, ann)
    with frozen(stack_pids(stack, service="notifications")):
        liked = api.post(f"/api/v1/posts/{post_id}/like", headers=bob.auth, timeout=10)
        assert liked.status_code == 201
        followed = api.post(f"/api/v1/users/{ann.id}/follow", headers=bob.auth, timeout=10)
        assert followed.status_code == 201
        renamed = api.patch(
            "/api/v1/users/me", json={"name": "Bob B."}, headers=bob.auth, timeout=10
        )
        assert renamed.status_code == 200
        assert api.get(f"/api/v1/posts/{post_id}", timeout=10).json()["like_count"] == 1
    wait_for(
        lambda: {n["type"] for n in notifications(api, ann)} == {"like", "follow"},
        "what happened meanwhile",
        30,
    )


def test_notifications_answers_reads_while_the_broker_users_and_feed_are_stopped(stack, api):
    ann, bob = sign_up(api), sign_up(api)
    post_id = post(api, ann)
    api.post(f"/api/v1/posts/{post_id}/like", headers=bob.auth)
    wait_for(lambda: like_notifications(api, ann, post_id), "the like notification", 10)
    others = [
        broker_pid(stack),
        *stack_pids(stack, service="users"),
        *stack_pids(stack, service="feed"),
    ]
    with frozen(others):
        listed = api.get(NOTIFICATIONS, headers=ann.auth, timeout=10)
        assert listed.status_code == 200
        assert [n["post_id"] for n in listed.json()["results"]] == [post_id]
        count = api.get(f"{NOTIFICATIONS}/unread_count", headers=ann.auth, timeout=10)
        assert count.json() == {"count": 1}
        assert api.post(f"{NOTIFICATIONS}/read", headers=ann.auth, timeout=10).status_code == 204
