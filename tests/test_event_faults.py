"""The broker down, frozen, a relay killed, a poison message: nothing lost, nothing twice.

Each outage is real: the stack's RabbitMQ node is stopped (`stack.py broker-stop`) or frozen
(SIGSTOP) while accounts change and posts are liked through the gateway; every write must
succeed, the events wait in the outboxes, and once the broker is back the world is exactly what
it would have been without the outage (tests/test_account_events.py's EXPECTED_AFTER). A relay
process is SIGKILLed after its publish was confirmed and before its mark committed. A consumer
dying between commit and ack is produced exactly in the feed's suite
(services/feed/config/tests/test_events.py), as are the other crash points.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import STACK, Account, Api, Stack, sign_up
from tests.events import (
    account_event,
    broker_pid,
    consumer_log_outcomes,
    database,
    outbox_events,
    outbox_pending,
    publish,
    queue_depth,
    ready,
    stack_pids,
    wait_for,
)
from tests.test_account_events import (
    EXPECTED_AFTER,
    build_world,
    change_accounts,
    like,
    normalise_names,
    post,
    rename,
    snapshot,
)


def a_post_and_its_fans(api: Api) -> tuple[int, list[Account]]:
    """A post, and three accounts that will like it while the broker is out."""
    author, *fans = (sign_up(api) for _ in range(4))
    return post(api, author, "liked in the dark")["id"], fans


def change_and_like_while_the_broker_is_out(
    api: Api, stack: Stack, world, post_id: int, fans: list[Account]
) -> None:
    """Two renames, a deletion and three likes: every write succeeds, the events wait."""
    change_accounts(api, world)
    for fan in fans:
        like(api, fan, post_id)
    users = ready(stack, "users")
    assert users["broker"] == "unreachable"
    assert users["outbox_pending"] >= 3, users
    assert ready(stack, "feed")["broker"] == "unreachable"
    # The feed has not heard of the deletion: its events wait in the users outbox.
    assert api.get(f"/api/v1/posts/{world.gone_post}").status_code == 200


def assert_drains_to_the_expected_world(api: Api, stack: Stack, world, post_id: int) -> None:
    wait_for(lambda: outbox_pending(stack, "users") == 0, "the users outbox to drain")
    wait_for(lambda: outbox_pending(stack, "feed") == 0, "the feed outbox to drain")
    wait_for(
        lambda: api.get(f"/api/v1/posts/{world.gone_post}").status_code == 404,
        "the deletion to reach the feed",
    )
    wait_for(lambda: queue_depth(stack) == 0, "the feed's queue to drain")
    assert normalise_names(snapshot(api, world), world) == EXPECTED_AFTER
    assert api.get(f"/api/v1/posts/{post_id}").json()["like_count"] == 3
    ids = [
        e["event_id"]
        for e in outbox_events(stack, [world.gone.id, world.renamed.id, world.other.id])
    ]

    def logged() -> dict | None:
        found = consumer_log_outcomes(stack)
        return found if all(found["applied"][i] for i in ids) else None

    outcomes = wait_for(logged, "every event to be applied")
    assert {i: outcomes["applied"][i] for i in ids} == dict.fromkeys(ids, 1)


def test_with_the_broker_stopped_every_write_succeeds_and_everything_arrives_after(api, stack):
    world = build_world(api)
    post_id, fans = a_post_and_its_fans(api)
    wait_for(lambda: outbox_pending(stack) == 0, "the world's sign-ups to be published")
    stopped = stack.stack_command("broker-stop")
    assert stopped.returncode == 0, stopped.stderr
    try:
        change_and_like_while_the_broker_is_out(api, stack, world, post_id, fans)
    finally:
        started = stack.stack_command("broker-start")
        assert started.returncode == 0, started.stderr
    assert_drains_to_the_expected_world(api, stack, world, post_id)


def test_with_the_broker_frozen_every_write_succeeds_and_everything_arrives_after(api, stack):
    world = build_world(api)
    post_id, fans = a_post_and_its_fans(api)
    wait_for(lambda: outbox_pending(stack) == 0, "the world's sign-ups to be published")
    pid = broker_pid(stack)
    os.kill(pid, signal.SIGSTOP)
    try:
        change_and_like_while_the_broker_is_out(api, stack, world, post_id, fans)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert_drains_to_the_expected_world(api, stack, world, post_id)


def test_a_relay_killed_after_publishing_and_before_marking_causes_a_duplicate_applied_once(
    api, stack
):
    """The relay's mark waits behind a table lock the test holds, so the kill lands exactly
    between the broker's confirm and the commit; the row stays pending, another relay publishes
    it again, and the feed ignores the repeat."""
    ann = sign_up(api)
    post_id = post(api, ann, "hello")["id"]
    wait_for(lambda: outbox_pending(stack) == 0, "ann's sign-up to be published")
    relays = stack_pids(stack, "relay_events", "users")
    assert len(relays) == 2, relays
    for pid in relays:
        os.kill(pid, signal.SIGSTOP)
    conn = database(stack, "users")
    own = None
    try:
        new_name = rename(api, ann)
        [event] = [e for e in outbox_events(stack, [ann.id]) if e["published_at"] is None]
        with conn.cursor() as cursor:
            # SHARE lets the relay lock its batch (FOR UPDATE) but not mark it (UPDATE).
            cursor.execute("LOCK TABLE shared_events_outboxevent IN SHARE MODE")
        own = subprocess.Popen(
            [sys.executable, str(STACK), "manage", "users", "relay_events"],
            env=stack.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(
            lambda: consumer_log_outcomes(stack)["applied"][event["event_id"]] == 1,
            "the feed to apply what the relay published",
        )
        [dying] = [pid for pid in stack_pids(stack, "relay_events", "users") if pid not in relays]
        os.kill(dying, signal.SIGKILL)
        own.wait(30)
        conn.commit()  # the lock goes; the killed relay's transaction is gone with it
        time.sleep(0.5)
        [still] = [e for e in outbox_events(stack, [ann.id]) if e["event_id"] == event["event_id"]]
        assert still["published_at"] is None
    finally:
        conn.close()
        if own is not None and own.poll() is None:
            own.kill()
        for pid in relays:
            os.kill(pid, signal.SIGCONT)

    wait_for(lambda: outbox_pending(stack) == 0, "the other relays to publish it again")
    wait_for(
        lambda: consumer_log_outcomes(stack)["duplicate"][event["event_id"]] >= 1,
        "the feed to see the repeat",
    )
    assert consumer_log_outcomes(stack)["applied"][event["event_id"]] == 1
    assert api.get(f"/api/v1/posts/{post_id}").json()["author"]["username"] == new_name


@pytest.fixture
def feed_bug(stack: Stack):
    """A fault in the feed's database (a trigger refusing one username): the bug to be fixed."""
    poison_name = f"poison_{uuid.uuid4().hex[:8]}"
    conn = database(stack, "feed")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION refuse_{poison_name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.username = '{poison_name}' THEN RAISE EXCEPTION 'the bug'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_{poison_name} BEFORE INSERT OR UPDATE ON authors_author
            FOR EACH ROW EXECUTE FUNCTION refuse_{poison_name}();
            """
        )

    def fix() -> None:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS refuse_{poison_name} ON authors_author")
            cursor.execute(f"DROP FUNCTION IF EXISTS refuse_{poison_name}()")

    yield poison_name, fix
    fix()
    conn.close()


def dead_letters_command(stack: Stack, *args: str) -> str:
    """`manage.py event_dead_letters` as an operator runs it (`make manage`)."""
    done = stack.stack_command("manage", "feed", "event_dead_letters", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_poison_message_is_dead_lettered_the_rest_flow_and_replay_applies_it_after_the_fix(
    api, stack, feed_bug
):
    poison_name, fix = feed_bug
    victim, bystander = sign_up(api), sign_up(api)
    victim_post = post(api, victim, "victim's")["id"]
    bystander_post = post(api, bystander, "bystander's")["id"]
    poison = account_event(
        "users.account.updated",
        victim.id,
        1000,
        {"username": poison_name, "name": "", "avatar_url": None},
    )
    publish(stack, poison)
    # Behind it in the queue, a real rename of someone else.
    renamed = f"fine_{uuid.uuid4().hex[:8]}"
    response = api.patch("/api/v1/users/me", json={"username": renamed}, headers=bystander.auth)
    assert response.status_code == 200

    wait_for(
        lambda: api.get(f"/api/v1/posts/{bystander_post}").json()["author"]["username"] == renamed,
        "the rename behind the poison to flow",
    )
    wait_for(lambda: ready(stack, "feed")["dead_letters"] == 1, "the poison in the dead letters")
    [letter] = [json.loads(line) for line in dead_letters_command(stack).splitlines()]
    assert (letter["id"], letter["type"], letter["aggregate_id"]) == (
        poison["id"],
        "users.account.updated",
        victim.id,
    )
    assert letter["attempts"] == 3
    assert "the bug" in letter["error"]
    assert api.get(f"/api/v1/posts/{victim_post}").json()["author"]["username"] != poison_name

    fix()
    assert dead_letters_command(stack, "--replay").strip() == "replayed 1 dead letter(s)"
    wait_for(
        lambda: api.get(f"/api/v1/posts/{victim_post}").json()["author"]["username"] == poison_name,
        "the replayed event to be applied",
    )
    assert ready(stack, "feed")["dead_letters"] == 0
    assert consumer_log_outcomes(stack)["applied"][poison["id"]] == 1
