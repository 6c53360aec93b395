"""The dispatcher delivers every event once, in order per user, through failures and rivals.

The receiver in these tests is `StandInFeed`, a small HTTP server on 127.0.0.1 that stands in
for the feed service's `POST /internal/v1/events`: it records what arrives and answers as the
test tells it to. The real feed is exercised by the cross-service tests.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.utils import timezone

from outbox.dispatcher import Dispatcher, event_payload
from outbox.models import Event, EventType
from outbox.services import record_event, retry_delay
from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

SERVICE_DIR = Path(__file__).resolve().parents[2]


class StandInFeed:
    """A stand-in for the feed service: records each event it is sent, answers `respond(body)`."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.respond: Callable[[dict], int] = lambda body: 200
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                status = feed.respond(body)
                with feed.arrived:
                    feed.received.append({**body, "_path": self.path, "_status": status})
                    feed.headers.append(dict(self.headers))
                    feed.arrived.notify_all()
                payload = json.dumps({"status": "applied"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def acknowledged(self) -> list[dict]:
        with self.lock:
            return [body for body in self.received if 200 <= body["_status"] < 300]

    def wait_for(self, count: int, timeout: float = 20) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed(settings) -> Iterator[StandInFeed]:
    stand_in = StandInFeed()
    settings.FEED_SERVICE_URL = stand_in.url
    yield stand_in
    stand_in.close()


def add_events(*user_ids: int) -> list[Event]:
    """One `user.updated` event per entry of `user_ids`, each in its own transaction."""
    created = []
    for n, user_id in enumerate(user_ids):
        with transaction.atomic():
            created.append(
                record_event(
                    type=EventType.USER_UPDATED,
                    user_id=user_id,
                    data={"username": f"name{n}", "avatar_url": None},
                )
            )
    return created


def make_due() -> None:
    Event.objects.update(next_attempt_at=timezone.now() - timezone.timedelta(seconds=1))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_event_is_posted_with_the_wire_contract_and_marked_delivered(feed):
    (event,) = add_events(7)
    assert Dispatcher().deliver_all_due() == 1
    (body,) = feed.received
    assert body["_path"] == "/internal/v1/events"
    assert {key: body[key] for key in ("id", "type", "user_id", "data")} == {
        "id": event.id,
        "type": "user.updated",
        "user_id": 7,
        "data": {"username": "name0", "avatar_url": None},
    }
    assert body["occurred_at"].endswith("Z")
    assert body["occurred_at"] == event_payload(Event.objects.get()).get("occurred_at")
    assert feed.headers[0]["X-Internal-Token"] == settings.INTERNAL_API_TOKEN
    assert feed.headers[0]["Content-Type"] == "application/json"
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert event.attempts == 1
    assert Dispatcher().deliver_all_due() == 0


def test_each_users_events_are_delivered_in_order(feed):
    created = add_events(1, 2, 1, 1, 2, 3, 1)
    assert Dispatcher().deliver_all_due() == len(created)
    by_user = defaultdict(list)
    for body in feed.received:
        by_user[body["user_id"]].append(body["id"])
    for user_id, ids in by_user.items():
        assert ids == sorted(ids), user_id
    assert sorted(body["id"] for body in feed.received) == [event.id for event in created]


@pytest.mark.parametrize("status", [500, 503, 404, 400, 302])
def test_a_non_2xx_answer_is_retried_later_with_back_off(feed, settings, status):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    feed.respond = lambda body: status
    (event,) = add_events(1)
    started = timezone.now()
    result = Dispatcher().deliver_due()
    assert (result.delivered, result.failed) == (0, 1)
    event.refresh_from_db()
    assert event.delivered_at is None
    assert event.attempts == 1
    assert f"HTTP {status}" in event.last_error
    # 80-100 % of the first step (30 s), measured from the database's clock.
    wait = (event.next_attempt_at - started).total_seconds()
    assert 23 <= wait <= 31
    # Not due yet: the next pass leaves it alone.
    assert Dispatcher().deliver_due().failed == 0
    assert len(feed.received) == 1

    feed.respond = lambda body: 200
    make_due()
    assert Dispatcher().deliver_all_due() == 1
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert (event.attempts, event.last_error) == (2, "")


def test_the_back_off_doubles_per_attempt_up_to_the_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 1
    settings.OUTBOX_RETRY_MAX_SECONDS = 60
    for attempts, step in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (50, 60), (10**6, 60)]:
        delays = [retry_delay(attempts) for _ in range(50)]
        assert all(0.8 * step <= delay <= step for delay in delays), attempts
        assert len(set(delays)) > 1  # jittered


def test_a_feed_that_is_down_is_retried_until_it_comes_back(settings, feed):
    settings.FEED_SERVICE_URL = f"http://127.0.0.1:{closed_port()}"
    (event,) = add_events(3)
    for attempt in range(1, 4):
        assert Dispatcher().deliver_due().failed == 1
        event.refresh_from_db()
        assert event.attempts == attempt
        assert "ConnectionError" in event.last_error
        make_due()

    settings.FEED_SERVICE_URL = feed.url
    assert Dispatcher().deliver_all_due() == 1
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert [body["id"] for body in feed.received] == [event.id]


def test_an_unreachable_feed_ends_the_pass_after_one_attempt(settings):
    settings.FEED_SERVICE_URL = f"http://127.0.0.1:{closed_port()}"
    add_events(1, 2, 3)
    result = Dispatcher().deliver_due()
    assert (result.delivered, result.failed) == (0, 1)
    assert sorted(Event.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_an_error_answer_for_one_user_does_not_hold_up_the_others_in_the_pass(feed):
    feed.respond = lambda body: 500 if body["user_id"] == 1 else 200
    add_events(1, 2, 3)
    result = Dispatcher().deliver_due()
    assert (result.delivered, result.failed) == (2, 1)


def test_a_stop_request_ends_the_pass_before_the_next_event(feed):
    stop = threading.Event()

    def ack_then_stop(body: dict) -> int:
        stop.set()
        return 200

    feed.respond = ack_then_stop
    add_events(1, 2, 3)
    assert Dispatcher().deliver_due(stop).delivered == 1
    assert Event.objects.filter(delivered_at__isnull=True).count() == 2


def test_a_slow_feed_times_out_and_is_retried(settings, feed):
    settings.OUTBOX_READ_TIMEOUT_SECONDS = 0.2
    release = threading.Event()

    def slow(body: dict) -> int:
        release.wait(5)
        return 200

    feed.respond = slow
    (event,) = add_events(4)
    try:
        assert Dispatcher().deliver_due().failed == 1
    finally:
        release.set()
    event.refresh_from_db()
    assert event.delivered_at is None
    assert "Timeout" in event.last_error


def test_a_failing_head_blocks_only_its_own_users_later_events(feed, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    feed.respond = lambda body: 500 if body["user_id"] == 1 else 200
    created = add_events(1, 2, 1, 2, 2)
    Dispatcher().deliver_all_due()
    delivered = set(Event.objects.filter(delivered_at__isnull=False).values_list("id", flat=True))
    assert delivered == {created[1].id, created[3].id, created[4].id}
    attempted_for_1 = [body["id"] for body in feed.received if body["user_id"] == 1]
    assert attempted_for_1 == [created[0].id]

    feed.respond = lambda body: 200
    make_due()
    Dispatcher().deliver_all_due()
    assert [b["id"] for b in feed.acknowledged() if b["user_id"] == 1] == [
        created[0].id,
        created[2].id,
    ]


def test_two_dispatchers_at_once_deliver_every_event_exactly_once_in_per_user_order(feed, settings):
    settings.OUTBOX_BATCH_SIZE = 2

    def jittery(body: dict) -> int:
        time.sleep(0.001 * (body["id"] % 3))
        return 200

    feed.respond = jittery
    users = list(range(1, 7))
    created = add_events(*(users * 15))

    def run(i: int) -> int:
        dispatcher = Dispatcher()
        total = 0
        deadline = time.monotonic() + 60
        while Event.objects.filter(delivered_at__isnull=True).exists():
            assert time.monotonic() < deadline, "dispatchers did not finish"
            total += dispatcher.deliver_due().delivered
        return total

    delivered = run_concurrently(2, run)
    close_old_connections()

    errors = [result for result in delivered if isinstance(result, BaseException)]
    assert not errors, errors
    received = [body["id"] for body in feed.received]
    assert sorted(received) == [event.id for event in created]  # each exactly once
    for user_id in users:
        ids = [body["id"] for body in feed.received if body["user_id"] == user_id]
        assert ids == sorted(ids), user_id
    assert sum(delivered) == len(created)
    assert all(delivered), delivered  # both took part


def test_delivered_events_past_their_retention_are_pruned(feed, settings):
    old, recent, pending = add_events(1, 2, 3)
    Event.objects.filter(pk__in=[old.pk, recent.pk]).update(delivered_at=timezone.now())
    Event.objects.filter(pk=old.pk).update(
        delivered_at=timezone.now() - timezone.timedelta(days=settings.OUTBOX_RETENTION_DAYS + 1)
    )
    Dispatcher().maybe_prune()
    assert set(Event.objects.values_list("id", flat=True)) == {recent.pk, pending.pk}


def test_dispatch_events_once_delivers_what_is_due_and_exits(feed, capsys):
    add_events(1, 1, 2)
    call_command("dispatch_events", "--once")
    assert "delivered 3 event(s)" in capsys.readouterr().out
    assert not Event.objects.filter(delivered_at__isnull=True).exists()


def test_dispatch_events_runs_until_sigterm_then_exits_cleanly(feed):
    """The real command in its own process: it delivers, keeps polling, and stops on SIGTERM."""
    add_events(5)
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "USERS_DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "FEED_SERVICE_URL": feed.url,
        "OUTBOX_POLL_INTERVAL_SECONDS": "0.05",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "dispatch_events"],
        cwd=SERVICE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert feed.wait_for(1), "the dispatcher delivered nothing"
        # Still running and polling: a later event is delivered too.
        add_events(5)
        assert feed.wait_for(2), "the dispatcher stopped polling"
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=15)[0].decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "dispatcher stopped" in output
    assert not Event.objects.filter(delivered_at__isnull=True).exists()
