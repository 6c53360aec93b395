"""shared.events against a real RabbitMQ node and real Postgres: relay, consumer, dead letters.

`make test` starts a throwaway broker and sets BROKER_URL. Each test gets its own exchange and
its own service name (so its own queues), and a handler that is deliberately not idempotent
(it adds 1 to a tally per event id): any event applied twice shows as a 2. The faults are the
real ones where a test can produce them exactly: a relay transaction that never commits after
its publishes (what Postgres does when the relay dies there), a consumer connection closed after
the commit and before the ack (what the broker sees when the consumer dies there).
"""

import logging
import threading
import time
from collections.abc import Iterator

import pika
import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from shared.events import broker
from shared.events.consumer import Consumer, Outcome, Unprocessable, apply_once
from shared.events.dead_letters import list_dead_letters, replay_dead_letters
from shared.events.health import readiness
from shared.events.message import Event, decode
from shared.events.models import AppliedEvent, OutboxEvent
from shared.events.outbox import record_event
from shared.events.relay import Relay
from shared.testing import isolated_broker, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

TYPE = "test.thing.happened"
TALLY = "events_test_tally"


def tally(event: Event) -> None:
    if event.payload.get("poison") and not POISON_FIXED.is_set():
        raise RuntimeError("this handler cannot apply poison (yet)")
    if event.payload.get("unprocessable"):
        raise Unprocessable("never applicable")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TALLY} (event_id, n) VALUES (%s, 1) "  # noqa: S608 - a constant
            f"ON CONFLICT (event_id) DO UPDATE SET n = {TALLY}.n + 1",
            [str(event.id)],
        )


POISON_FIXED = threading.Event()


@pytest.fixture(autouse=True)
def own_broker(settings) -> Iterator[None]:
    """Own exchange and queues per test, fast retries; a tally table; all removed afterwards."""
    settings.EVENTS_MAX_ATTEMPTS = 3
    settings.EVENTS_RETRY_BASE_SECONDS = 0.01
    settings.EVENTS_RETRY_MAX_SECONDS = 0.05
    POISON_FIXED.clear()
    with isolated_broker(settings):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {TALLY} (event_id text PRIMARY KEY, n int NOT NULL)")
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TALLY}")


def tallies() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT event_id, n FROM {TALLY}")  # noqa: S608 - a constant
        return dict(cursor.fetchall())


def record(count: int, **payload: object) -> list[str]:
    with transaction.atomic():
        rows = [
            record_event(type=TYPE, aggregate_id=7, payload={"i": i, **payload})
            for i in range(count)
        ]
    return [str(row.event_id) for row in rows]


def consumer() -> Consumer:
    made = Consumer(handlers={TYPE: tally})
    made.channel()  # declares the queue and binding before anything is published
    return made


def drain(made: Consumer) -> int:
    try:
        return made.consume(threading.Event(), until_idle=0.3)
    finally:
        made.close()


def queued() -> int:
    probe = broker.connect()
    try:
        return probe.channel().queue_declare(broker.queue_name(), passive=True).method.message_count
    finally:
        probe.close()


def test_the_relay_publishes_confirmed_persistent_messages_and_marks_them():
    made = consumer()
    ids = record(3)
    relay = Relay()
    assert relay.relay_all() == 3
    relay.close()
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
    assert queued() == 3

    probe = broker.connect()
    method, properties, body = probe.channel().basic_get(broker.queue_name(), auto_ack=False)
    probe.close()  # unacknowledged: back to the queue
    event = decode(body)
    assert (method.routing_key, properties.type, properties.message_id) == (TYPE, TYPE, ids[0])
    assert properties.delivery_mode == pika.DeliveryMode.Persistent.value
    assert (event.aggregate_id, event.sequence, event.payload) == (7, 1, {"i": 0})
    assert event.producer == broker.queue_name().removesuffix(".events")

    assert drain(made) == 3
    assert tallies() == dict.fromkeys(ids, 1)
    assert queued() == 0


def test_a_relay_that_dies_between_publishing_and_marking_causes_a_duplicate_applied_once(
    caplog,
):
    made = consumer()
    ids = record(2)
    dying = Relay()

    class Died(Exception):
        pass

    def publish_then_die() -> None:
        with transaction.atomic():
            dying.publish(dying.lock_batch(10))
            raise Died  # before mark_published commits: Postgres rolls the transaction back

    with pytest.raises(Died):
        publish_then_die()
    dying.close()
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 2

    restarted = Relay()
    assert restarted.relay_all() == 2
    restarted.close()
    assert queued() == 4

    with caplog.at_level(logging.INFO, logger="shared.events.consumer"):
        assert drain(made) == 4
    assert tallies() == dict.fromkeys(ids, 1)
    outcomes = [r.getMessage() for r in caplog.records if r.getMessage().startswith("event ")]
    assert sorted(outcomes) == ["event applied"] * 2 + ["event duplicate"] * 2


def test_a_consumer_that_dies_after_the_commit_and_before_the_ack_gets_a_redelivery_it_ignores():
    made = consumer()
    made.close()
    [event_id] = record(1)
    relay = Relay()
    relay.relay_all()
    relay.close()

    dying = broker.connect()
    method, _, body = dying.channel().basic_get(broker.queue_name(), auto_ack=False)
    assert apply_once(decode(body), tally) is True  # committed
    dying.close()  # no ack: the broker hands the message out again

    again = consumer()
    channel = again.channel()
    method, properties, body = channel.basic_get(broker.queue_name(), auto_ack=False)
    assert method.redelivered
    assert again.handle(channel, method, properties, body) == Outcome.DUPLICATE
    again.close()
    assert tallies() == {event_id: 1}
    assert queued() == 0


def test_two_relays_and_two_consumers_at_once_apply_every_event_exactly_once():
    consumer().close()
    ids = [event_id for _ in range(4) for event_id in record(50)]

    def relay(i: int) -> int:
        worker = Relay()
        worker.batch_size = 7
        try:
            return worker.relay_all()
        finally:
            worker.close()

    published = run_concurrently(2, relay)
    assert sum(published) == 200, published  # each row published by one relay only
    assert all(isinstance(n, int) and n > 0 for n in published), published

    handled = run_concurrently(2, lambda i: drain(consumer()))
    assert sum(handled) == 200, handled
    assert tallies() == dict.fromkeys(ids, 1)
    assert AppliedEvent.objects.count() == 200


def test_a_poison_message_goes_to_the_dead_letters_the_rest_flow_and_replay_works_after_a_fix():
    made = consumer()
    [poison] = record(1, poison=True)
    healthy = record(3)
    relay = Relay()
    relay.relay_all()
    relay.close()

    assert drain(made) == 4
    assert tallies() == dict.fromkeys(healthy, 1)
    [letter] = list_dead_letters()
    assert (letter.message_id, letter.type, letter.attempts) == (poison, TYPE, 3)
    assert letter.error == "RuntimeError: this handler cannot apply poison (yet)"
    assert letter.summary()["aggregate_id"] == 7
    assert len(list_dead_letters()) == 1  # listing leaves it there

    POISON_FIXED.set()  # the fix is deployed
    assert [r.message_id for r in replay_dead_letters()] == [poison]
    assert list_dead_letters() == []
    assert drain(consumer()) == 1
    assert tallies() == dict.fromkeys([*healthy, poison], 1)


def test_unprocessable_and_malformed_messages_are_dead_lettered_at_once():
    made = consumer()
    [unprocessable] = record(1, unprocessable=True)
    relay = Relay()
    relay.relay_all()
    relay.close()
    sender = broker.connect()
    sender.channel().basic_publish(django_settings.EVENTS_EXCHANGE, TYPE, b"not json")
    sender.close()

    assert drain(made) == 2
    letters = {letter.message_id: letter for letter in list_dead_letters()}
    assert letters[unprocessable].error == "unprocessable: never applicable"
    assert letters[unprocessable].attempts == 0
    assert letters[""].error == "malformed: the body is not JSON"
    assert tallies() == {}


def test_readiness_reports_the_broker_the_queue_and_the_dead_letters(settings):
    settings.EVENT_HANDLERS = {TYPE: "config.tests.test_events.tally"}
    made = consumer()
    record(2)
    record(1, poison=True)
    before = readiness()
    assert (before["broker"], before["outbox_pending"], before["queued_events"]) == ("ok", 3, 0)
    assert before["dead_letters"] == 0
    relay = Relay()
    relay.relay_all()
    relay.close()
    assert readiness()["queued_events"] == 3
    drain(made)
    after = readiness()
    assert (after["outbox_pending"], after["queued_events"], after["dead_letters"]) == (0, 0, 1)
    assert after["outbox_oldest_pending_seconds"] is None


# --- a lost database connection (a Postgres restart, a failover) -----------------------------


def cut_other_connections() -> int:
    """What a Postgres restart does to every other process: their connections are gone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until(check, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def running(target) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()

    def run() -> None:
        try:
            target(stop)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return stop, thread


def test_the_relay_and_the_consumer_reconnect_after_their_database_connections_are_cut():
    made = consumer()
    relay = Relay()
    relay.poll_seconds = 0.05
    stops = [running(relay.run), running(made.run)]
    try:
        before = record(2)
        wait_until(lambda: set(tallies()) == set(before), "the first events applied")
        assert cut_other_connections() >= 2
        after = record(3)
        wait_until(lambda: set(tallies()) == {*before, *after}, "the events after the cut")
    finally:
        for stop, thread in stops:
            stop.set()
            thread.join(timeout=10)
    assert tallies() == dict.fromkeys([*before, *after], 1)
    assert list_dead_letters() == []
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
