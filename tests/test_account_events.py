"""Account changes reach the feed through the users service's outbox, even across a feed outage.

Everything a client sees goes through the gateway. Two things are looked at behind it: the users
service's own /readyz (the outbox backlog) and its outbox table (to replay a real event, and to
know which events a test caused); the feed's log says how often each event was applied.
"""

import io
import os
import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any, TypeVar

import psycopg2
import pytest
import requests
from PIL import Image

from tests.conftest import Account, Api, Stack, sign_up

# Generous: a delivery normally lands well under a second after the change.
DEADLINE_SECONDS = 20

T = TypeVar("T")


def wait_for(check: Callable[[], T], what: str, timeout: float = DEADLINE_SECONDS) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}; last: {result!r}")
        time.sleep(0.1)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "olive").save(buffer, format="PNG")
    return buffer.getvalue()


def rename(api: Api, account: Account) -> str:
    new = f"re_{uuid.uuid4().hex[:10]}"
    response = api.patch("/api/v1/users/me", json={"username": new}, headers=account.auth)
    assert response.status_code == 200, response.text
    account.username = new
    return new


def delete_account(api: Api, account: Account) -> None:
    response = api.delete(
        "/api/v1/users/me", json={"password": account.password}, headers=account.auth
    )
    assert response.status_code == 204, response.text


def post(api: Api, account: Account, title: str, **kwargs: Any) -> dict[str, Any]:
    if "files" in kwargs:
        created = api.post("/api/v1/posts", data={"title": title}, headers=account.auth, **kwargs)
    else:
        created = api.post("/api/v1/posts", json={"title": title}, headers=account.auth)
    assert created.status_code == 201, created.text
    return created.json()


def like(api: Api, account: Account, post_id: int) -> None:
    assert api.post(f"/api/v1/posts/{post_id}/like", headers=account.auth).status_code == 201


def comment(api: Api, account: Account, post_id: int, body: str) -> None:
    response = api.post(
        f"/api/v1/posts/{post_id}/comments", json={"body": body}, headers=account.auth
    )
    assert response.status_code == 201, response.text


def follow(api: Api, follower: Account, followee: Account) -> None:
    response = api.post(f"/api/v1/users/{followee.id}/follow", headers=follower.auth)
    assert response.status_code == 201, response.text


def stats(api: Api, user: Account) -> tuple[int, int, int]:
    body = api.get(f"/api/v1/users/{user.id}/stats").json()
    return body["posts_count"], body["followers_count"], body["following_count"]


def outbox_pending(stack: Stack) -> int:
    """The users service's backlog, from its own port (readiness is not routed by the gateway)."""
    ready = requests.get(f"{stack.users_url}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    return ready.json()["outbox_pending"]


def users_db(stack: Stack):
    return psycopg2.connect(
        host="127.0.0.1",
        port=stack.env["PG_PORT"],
        dbname="users",
        user="users",
        password=stack.env["USERS_DB_PASSWORD"],
    )


def outbox_events(stack: Stack, user_ids: list[int]) -> list[dict[str, Any]]:
    """The users service's outbox rows about `user_ids`, oldest first."""
    with users_db(stack) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT id, type, user_id, occurred_at, data, attempts, delivered_at "
            "FROM outbox_event WHERE user_id = ANY(%s) ORDER BY id",
            [user_ids],
        )
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    conn.close()
    return rows


def feed_log_outcomes(stack: Stack) -> dict[str, Counter[int]]:
    """How many times the feed logged each event id as applied and as ignored."""
    outcomes: dict[str, Counter[int]] = {"applied": Counter(), "ignored": Counter()}
    log = (stack.work_dir / "var" / "log" / "stack.log").read_text()
    for match in re.finditer(r'"message": "account event (applied|ignored)".*', log):
        event_id = re.search(r'"event_id": (\d+)', match.group(0))
        assert event_id, match.group(0)
        outcomes[match.group(1)][int(event_id.group(1))] += 1
    return outcomes


def listening_pids(port: int) -> list[int]:
    """Pids of the gunicorn processes serving `port` (master and workers share the socket)."""
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True)
    return sorted({int(pid) for pid in re.findall(r"pid=(\d+)", out.stdout)})


# --- a rename --------------------------------------------------------------------------------


def test_a_rename_shows_on_the_users_posts_in_someone_elses_timeline_within_seconds(api, stack):
    ann, bob = sign_up(api), sign_up(api)
    posts = [post(api, ann, f"ann's post {i}")["id"] for i in range(2)]
    comment(api, ann, posts[0], "my own words")
    follow(api, bob, ann)
    timeline = api.get("/api/v1/feed", headers=bob.auth).json()["results"]
    assert [p["author"]["username"] for p in timeline] == [ann.username] * 2

    started = time.monotonic()
    new_name = rename(api, ann)

    def renamed_everywhere() -> bool:
        timeline = api.get("/api/v1/feed", headers=bob.auth).json()["results"]
        return [p["author"]["username"] for p in timeline] == [new_name] * 2

    wait_for(renamed_everywhere, "the new name on ann's posts in bob's timeline")
    assert time.monotonic() - started < 10
    detail = api.get(f"/api/v1/posts/{posts[1]}").json()
    assert detail["author"] == {"id": ann.id, "username": new_name, "avatar_url": None}
    comments = api.get(f"/api/v1/posts/{posts[0]}/comments").json()["results"]
    assert [c["author"]["username"] for c in comments] == [new_name]


def test_replaying_an_old_event_after_a_newer_one_changes_nothing(api, stack):
    ann = sign_up(api)
    post_id = post(api, ann, "hello")["id"]
    new_name = rename(api, ann)
    wait_for(
        lambda: api.get(f"/api/v1/posts/{post_id}").json()["author"]["username"] == new_name,
        "the rename to reach the feed",
    )
    created = next(e for e in outbox_events(stack, [ann.id]) if e["type"] == "user.created")

    # Exactly what the dispatcher sent for the sign-up, sent again after the rename.
    replay = requests.post(
        f"{stack.feed_url}/internal/v1/events",
        json={
            "id": created["id"],
            "type": created["type"],
            "user_id": created["user_id"],
            "occurred_at": created["occurred_at"].astimezone(UTC).isoformat(),
            "data": created["data"],
        },
        headers={"X-Internal-Token": stack.env["INTERNAL_API_TOKEN"]},
        timeout=10,
    )

    assert (replay.status_code, replay.json()) == (200, {"status": "ignored"})
    assert api.get(f"/api/v1/posts/{post_id}").json()["author"]["username"] == new_name


# --- a deletion ------------------------------------------------------------------------------


@dataclass
class World:
    """Three accounts entangled every way the feed allows; `gone` will be deleted."""

    gone: Account
    renamed: Account
    other: Account
    gone_post: int
    renamed_post: int
    other_post: int
    gone_files: list[str]

    def role(self, user_id: int) -> str:
        names = {self.gone.id: "gone", self.renamed.id: "renamed", self.other.id: "other"}
        return names.get(user_id, f"stranger {user_id}")


def build_world(api: Api) -> World:
    gone, renamed, other = sign_up(api), sign_up(api), sign_up(api)
    gone_post = post(api, gone, "gone's", files=[("images", ("a.png", png(), "image/png"))])
    world = World(
        gone=gone,
        renamed=renamed,
        other=other,
        gone_post=gone_post["id"],
        renamed_post=post(api, renamed, "renamed's")["id"],
        other_post=post(api, other, "other's")["id"],
        gone_files=[i[key] for i in gone_post["images"] for key in ("url", "thumbnail_url")],
    )
    for user, post_id in (
        (gone, world.other_post),
        (gone, world.renamed_post),
        (other, world.renamed_post),
        (other, world.gone_post),
        (renamed, world.other_post),
    ):
        like(api, user, post_id)
    for user, post_id, body in (
        (gone, world.other_post, "gone on other"),
        (renamed, world.other_post, "renamed on other"),
        (other, world.gone_post, "other on gone"),
        (renamed, world.renamed_post, "renamed on own"),
    ):
        comment(api, user, post_id, body)
    for follower, followee in (
        (gone, other),
        (gone, renamed),
        (other, gone),
        (renamed, gone),
        (other, renamed),
    ):
        follow(api, follower, followee)
    return world


def change_accounts(api: Api, world: World) -> None:
    """Two renames (their order matters) and the deletion, all through the users service."""
    rename(api, world.renamed)
    rename(api, world.renamed)
    delete_account(api, world.gone)


def snapshot(api: Api, world: World) -> dict[str, Any]:
    """Everything a client can see of the world, with user ids replaced by roles."""

    def users(path: str) -> list[str]:
        return sorted(world.role(u["id"]) for u in api.get(path).json()["results"])

    seen: dict[str, Any] = {}
    for name, post_id in (
        ("gone", world.gone_post),
        ("renamed", world.renamed_post),
        ("other", world.other_post),
    ):
        response = api.get(f"/api/v1/posts/{post_id}")
        if response.status_code != 200:
            seen[f"{name}'s post"] = response.status_code
            continue
        body = response.json()
        comments = api.get(f"/api/v1/posts/{post_id}/comments").json()["results"]
        seen[f"{name}'s post"] = {
            "author": (world.role(body["author"]["id"]), body["author"]["username"]),
            "like_count": body["like_count"],
            "comment_count": body["comment_count"],
            "likers": users(f"/api/v1/posts/{post_id}/likes"),
            "comments": [
                (world.role(c["author"]["id"]), c["author"]["username"], c["body"])
                for c in comments
            ],
        }
    for name, user in (("gone", world.gone), ("renamed", world.renamed), ("other", world.other)):
        seen[f"{name}'s stats"] = stats(api, user)
        seen[f"{name}'s followers"] = users(f"/api/v1/users/{user.id}/followers")
        seen[f"{name}'s following"] = users(f"/api/v1/users/{user.id}/following")
        seen[f"{name}'s posts"] = [
            p["title"] for p in api.get(f"/api/v1/users/{user.id}/posts").json()["results"]
        ]
    seen["other's timeline"] = [
        (world.role(p["author"]["id"]), p["title"])
        for p in api.get("/api/v1/feed", headers=world.other.auth).json()["results"]
    ]
    seen["gone's files"] = [requests.get(url, timeout=10).status_code for url in world.gone_files]
    seen["gone's token on the feed"] = api.get("/api/v1/feed", headers=world.gone.auth).status_code
    return seen


def normalise_names(seen: Any, world: World) -> Any:
    """`seen` with the usernames of `renamed` and `other` replaced by placeholders.

    Usernames differ from world to world; the placeholders let two worlds be compared, and
    `renamed`'s is its latest name, so a stale name would still show.
    """
    if isinstance(seen, dict):
        return {key: normalise_names(value, world) for key, value in seen.items()}
    if isinstance(seen, list | tuple):
        return type(seen)(normalise_names(value, world) for value in seen)
    names = {world.renamed.username: "<renamed>", world.other.username: "<other>"}
    return names.get(seen, seen) if isinstance(seen, str) else seen


# A world once `gone` is deleted and `renamed` renamed: nothing of gone left, every counter down
# by exactly what gone contributed, the new name wherever `renamed` appears.
EXPECTED_AFTER = {
    "gone's post": 404,
    "renamed's post": {
        "author": ("renamed", "<renamed>"),
        "like_count": 1,
        "comment_count": 1,
        "likers": ["other"],
        "comments": [("renamed", "<renamed>", "renamed on own")],
    },
    "other's post": {
        "author": ("other", "<other>"),
        "like_count": 1,
        "comment_count": 1,
        "likers": ["renamed"],
        "comments": [("renamed", "<renamed>", "renamed on other")],
    },
    "gone's stats": (0, 0, 0),
    "gone's followers": [],
    "gone's following": [],
    "gone's posts": [],
    "renamed's stats": (1, 1, 0),
    "renamed's followers": ["other"],
    "renamed's following": [],
    "renamed's posts": ["renamed's"],
    "other's stats": (1, 0, 1),
    "other's followers": [],
    "other's following": ["renamed"],
    "other's posts": ["other's"],
    "other's timeline": [("other", "other's"), ("renamed", "renamed's")],
    "gone's files": [404, 404],
    "gone's token on the feed": 401,
}


def test_a_deleted_account_leaves_no_like_comment_post_or_follow_behind(api, stack):
    world = build_world(api)
    before = snapshot(api, world)
    assert before["other's post"]["like_count"] == 2
    assert before["other's post"]["comment_count"] == 2
    assert before["other's stats"] == (1, 1, 2)
    assert before["renamed's stats"] == (1, 2, 1)
    assert all(status == 200 for status in before["gone's files"])

    change_accounts(api, world)

    wait_for(
        lambda: api.get(f"/api/v1/posts/{world.gone_post}").status_code == 404,
        "gone's post to disappear",
    )
    wait_for(lambda: outbox_pending(stack) == 0, "the outbox to drain")
    after = normalise_names(snapshot(api, world), world)
    assert after == EXPECTED_AFTER


# --- the feed service down -------------------------------------------------------------------


def test_changes_made_while_the_feed_is_frozen_arrive_exactly_once_when_it_is_back(api, stack):
    """Freeze every feed process (deliveries time out), change accounts, thaw: same outcome.

    `control` goes through the same changes while the feed is up; `frozen` while it is not.
    Once the backlog drains, a client sees the same in both, and the feed applied each of the
    frozen world's events once, although the dispatcher delivered some of them again.
    """
    control, frozen = build_world(api), build_world(api)
    change_accounts(api, control)
    wait_for(lambda: outbox_pending(stack) == 0, "the control world's events to be delivered")
    control_after = normalise_names(snapshot(api, control), control)
    assert control_after == EXPECTED_AFTER

    feed_pids = listening_pids(int(stack.feed_url.rsplit(":", 1)[1]))
    assert len(feed_pids) >= 2, "expected a gunicorn master and its workers"
    frozen_ids = [frozen.gone.id, frozen.renamed.id]
    for pid in feed_pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        change_accounts(api, frozen)

        def every_head_failed_once() -> bool:
            # The first undelivered event of each frozen user was tried, and timed out.
            events = [e for e in outbox_events(stack, frozen_ids) if e["delivered_at"] is None]
            heads = {e["user_id"]: e for e in reversed(events)}
            return len(heads) == 2 and all(e["attempts"] >= 1 for e in heads.values())

        wait_for(every_head_failed_once, "the dispatcher to fail against the frozen feed")
        ready = requests.get(f"{stack.users_url}/readyz", timeout=10).json()
        assert ready["outbox_pending"] >= 3, ready
        # At least one delivery attempt (1 s read timeout in the e2e stack) has gone by.
        assert ready["outbox_oldest_pending_seconds"] >= 1, ready
    finally:
        for pid in feed_pids:
            os.kill(pid, signal.SIGCONT)

    wait_for(lambda: outbox_pending(stack) == 0, "the backlog to drain after the thaw")
    frozen_after = normalise_names(snapshot(api, frozen), frozen)
    assert frozen_after == control_after

    events = outbox_events(stack, frozen_ids)
    assert all(e["delivered_at"] is not None for e in events)
    changed = [e["id"] for e in events if e["type"] != "user.created"]
    assert len(changed) == 3
    assert max(e["attempts"] for e in events) >= 2  # delivered on a retry
    control_events = [e["id"] for e in outbox_events(stack, [control.gone.id, control.renamed.id])]

    def logged() -> dict[str, Counter[int]] | None:
        found = feed_log_outcomes(stack)
        return found if all(found["applied"][i] for i in changed) else None

    outcomes = wait_for(logged, "the feed's log lines for the frozen world's events")
    applied = {i: outcomes["applied"][i] for i in changed + control_events}
    assert applied == dict.fromkeys(changed + control_events, 1)
    # Deliveries that timed out still sat in the frozen feed's socket and were served after the
    # thaw, and the dispatcher sent those events again: repeats, ignored.
    assert sum(outcomes["ignored"][i] for i in changed) >= 1
