"""Many clients at once through the gateway, then every stored counter recounted from its rows.

The stories race likes, unlikes, comments, follows and posts from threads; the last test runs
`manage.py check_counters` on the stack's feed database, which exits 1 on any drift.
"""

import random
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Api, sign_up

THREADS = 8


def run_all(calls) -> None:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()


def test_many_clients_like_unlike_and_comment_on_one_post_at_once(stack):
    with Api(stack.url) as api:
        author = sign_up(api)
        post = api.post("/api/v1/posts", json={"title": "busy"}, headers=author.auth).json()
        fans = [sign_up(api) for _ in range(6)]
    path = f"/api/v1/posts/{post['id']}"

    def story(fan) -> None:
        with Api(stack.url) as client:
            for _ in range(4):
                client.post(f"{path}/like", headers=fan.auth)
                client.post(f"{path}/like", headers=fan.auth)
                client.delete(f"{path}/like", headers=fan.auth)
                client.post(f"{path}/comments", json={"body": "hi"}, headers=fan.auth)
            client.post(f"{path}/like", headers=fan.auth)

    run_all([lambda fan=fan: story(fan) for fan in fans])
    with Api(stack.url) as api:
        shown = api.get(path, headers=author.auth).json()
    assert shown["like_count"] == len(fans)
    assert shown["comment_count"] == 4 * len(fans)


def test_many_clients_follow_unfollow_and_post_at_once(stack):
    with Api(stack.url) as api:
        people = [sign_up(api) for _ in range(6)]
    rng = random.Random(7)
    targets = {me.id: rng.sample(people, 4) for me in people}

    def story(me) -> None:
        with Api(stack.url) as client:
            for other in targets[me.id]:
                if other.id == me.id:
                    continue
                client.post(f"/api/v1/users/{other.id}/follow", headers=me.auth)
                client.delete(f"/api/v1/users/{other.id}/follow", headers=me.auth)
                client.post(f"/api/v1/users/{other.id}/follow", headers=me.auth)
            client.post("/api/v1/posts", json={"title": "mine"}, headers=me.auth)

    run_all([lambda me=me: story(me) for me in people])


def test_no_stored_counter_drifted_after_the_stories(stack):
    result = stack.stack_command("manage", "feed", "check_counters")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "posts.like_count: 0 drifted" in result.stdout
    assert "social.followers_count: 0 drifted" in result.stdout
