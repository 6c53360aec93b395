"""Account changes reach the feed over the broker: renames, deletions, replays, an outage.

Everything a client sees goes through the gateway. Behind it the tests look at the users
service's /readyz (the outbox backlog), its outbox table (which events a test caused), the feed's
queue, and the consumers' log (how often each event was applied). The stack runs two relays and
two consumers per service.
"""

import io
import os
import signal
import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image

from tests.conftest import Account, Api, sign_up
from tests.events import (
    account_event,
    consumer_log_outcomes,
    outbox_events,
    outbox_pending,
    publish,
    queue_depth,
    stack_pids,
    wait_for,
)


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


def test_a_repeated_event_and_an_older_state_arriving_late_change_nothing(api, stack):
    ann = sign_up(api)
    post_id = post(api, ann, "hello")["id"]
    new_name = rename(api, ann)
    wait_for(
        lambda: api.get(f"/api/v1/posts/{post_id}").json()["author"]["username"] == new_name,
        "the rename to reach the feed",
    )
    created = next(e for e in outbox_events(stack, [ann.id]) if e["type"].endswith("created"))
    assert created["sequence"] == 1

    # The very message the relay sent for the sign-up, published again (a relay that died
    # before marking it); and the sign-up's state under a new id (an older state, late).
    publish(
        stack, account_event(created["type"], ann.id, 1, created["payload"], created["event_id"])
    )
    late = account_event(created["type"], ann.id, 1, created["payload"])
    publish(stack, late)

    def settled() -> bool:
        outcomes = consumer_log_outcomes(stack)
        return outcomes["duplicate"][created["event_id"]] >= 1 and outcomes["applied"][late["id"]]

    wait_for(settled, "the consumers to take both messages")
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


# --- the feed's consumers down ---------------------------------------------------------------


def test_changes_made_while_the_feeds_consumers_are_down_wait_in_its_queue_and_apply_once(
    api, stack
):
    """Freeze every feed consumer, change accounts, thaw: the same outcome as with them up.

    `control` goes through the same changes while the consumers run; `frozen` while they do not.
    Meanwhile the users service publishes everything, and the events wait in the feed's queue.
    """
    control, frozen = build_world(api), build_world(api)
    change_accounts(api, control)
    wait_for(lambda: outbox_pending(stack) == 0, "the control world's events to be published")
    wait_for(lambda: queue_depth(stack) == 0, "the control world's events to be consumed")
    # An empty queue is not an applied deletion: a consumer may still hold it (prefetch 1).
    wait_for(
        lambda: api.get(f"/api/v1/posts/{control.gone_post}").status_code == 404,
        "the control world's deletion to be applied",
    )
    control_after = normalise_names(snapshot(api, control), control)
    assert control_after == EXPECTED_AFTER

    consumers = stack_pids(stack, "consume_events", service="feed")
    assert len(consumers) == 2, consumers
    for pid in consumers:
        os.kill(pid, signal.SIGSTOP)
    try:
        change_accounts(api, frozen)
        wait_for(lambda: outbox_pending(stack) == 0, "the users service to publish anyway")
        # Each frozen consumer holds at most one message (prefetch 1): the others wait.
        wait_for(lambda: queue_depth(stack) >= 1, "events to wait in the feed's queue")
        assert api.get(f"/api/v1/posts/{frozen.gone_post}").status_code == 200
    finally:
        for pid in consumers:
            os.kill(pid, signal.SIGCONT)

    wait_for(
        lambda: api.get(f"/api/v1/posts/{frozen.gone_post}").status_code == 404,
        "the deletion to be applied after the thaw",
    )
    wait_for(lambda: queue_depth(stack) == 0, "the feed's queue to drain")
    frozen_after = normalise_names(snapshot(api, frozen), frozen)
    assert frozen_after == control_after

    ids = [
        e["event_id"]
        for world in (control, frozen)
        for e in outbox_events(stack, [world.gone.id, world.renamed.id, world.other.id])
    ]
    assert len(ids) == 2 * (3 + 3)

    def logged() -> dict | None:
        found = consumer_log_outcomes(stack)
        return found if all(found["applied"][i] for i in ids) else None

    outcomes = wait_for(logged, "the consumers' log lines for both worlds' events")
    assert {i: outcomes["applied"][i] for i in ids} == dict.fromkeys(ids, 1)
