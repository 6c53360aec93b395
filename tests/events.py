"""What the event tests look at behind the gateway: outboxes, the broker, the consumers' log.

Everything a client sees goes through the gateway; these helpers read the users and feed
databases (with each service's own credentials), ask the broker for a queue's depth, publish a
message as a relay would, and find a stack's processes to stop or freeze them.
"""

import json
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pika
import psycopg2
import pytest
import requests

from tests.conftest import Stack

EXCHANGE = "social.events"
FEED_QUEUE = "feed.events"
# Generous: an event normally reaches the feed well under a second after the change.
DEADLINE_SECONDS = 30

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


def ready(stack: Stack, service: str) -> dict[str, Any]:
    """A service's /readyz, from its own port (readiness is not routed by the gateway)."""
    url = stack.users_url if service == "users" else stack.feed_url
    response = requests.get(f"{url}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def outbox_pending(stack: Stack, service: str = "users") -> int:
    return ready(stack, service)["outbox_pending"]


def database(stack: Stack, service: str):
    return psycopg2.connect(
        host="127.0.0.1",
        port=stack.env["PG_PORT"],
        dbname=service,
        user=service,
        password=stack.env[f"{service.upper()}_DB_PASSWORD"],
    )


def outbox_events(stack: Stack, user_ids: list[int]) -> list[dict[str, Any]]:
    """The users service's account events about `user_ids`, oldest first."""
    with database(stack, "users") as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT event_id, type, aggregate_id, sequence, occurred_at, payload, published_at "
            "FROM shared_events_outboxevent WHERE aggregate_id = ANY(%s) "
            "AND type LIKE 'users.account.%%' ORDER BY id",
            [user_ids],
        )
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    conn.close()
    for row in rows:
        row["event_id"] = str(row["event_id"])
    return rows


def consumer_log_outcomes(stack: Stack, service: str = "feed") -> dict[str, Counter[str]]:
    """How many times the service's consumers logged each event id as applied and as duplicate
    (the notifications service consumes some of the same events)."""
    outcomes: dict[str, Counter[str]] = {"applied": Counter(), "duplicate": Counter()}
    log = (stack.work_dir / "var" / "log" / "stack.log").read_text()
    for match in re.finditer(r'"message": "event (applied|duplicate)".*', log):
        if f'"service": "{service}"' not in match.group(0):
            continue
        event_id = re.search(r'"event_id": "([0-9a-f-]+)"', match.group(0))
        assert event_id, match.group(0)
        outcomes[match.group(1)][event_id.group(1)] += 1
    return outcomes


def broker_connection(stack: Stack) -> pika.BlockingConnection:
    user = stack.env.get("BROKER_USER", "social")
    credentials = pika.PlainCredentials(user, stack.env["BROKER_PASSWORD"])
    return pika.BlockingConnection(
        pika.ConnectionParameters(
            "127.0.0.1", int(stack.env["BROKER_PORT"]), credentials=credentials
        )
    )


def queue_depth(stack: Stack, queue: str = FEED_QUEUE) -> int:
    """Messages ready in `queue` (not counting those a consumer holds unacknowledged)."""
    connection = broker_connection(stack)
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def publish(stack: Stack, event: dict[str, Any]) -> None:
    """Publish `event` (the relay's JSON body) to the exchange, as a relay would."""
    connection = broker_connection(stack)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(
            EXCHANGE,
            event["type"],
            json.dumps(event).encode(),
            properties=pika.BasicProperties(
                content_type="application/json",
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=event["id"],
                type=event["type"],
            ),
        )
    finally:
        connection.close()


def account_event(
    event_type: str, user_id: int, sequence: int, payload: dict[str, Any], event_id: str = ""
) -> dict[str, Any]:
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "aggregate_id": user_id,
        "sequence": sequence,
        "occurred_at": datetime.now(tz=UTC).isoformat(),
        "producer": "users",
        "request_id": "",
        "payload": payload,
    }


def stack_pids(stack: Stack, command_part: str = "", service: str = "") -> list[int]:
    """Pids of this stack's processes whose command line contains `command_part` (run from
    `service`'s folder, when given)."""
    marker = f"SOCIAL_STACK_ID={(stack.work_dir / 'var').resolve()}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            # A supervisor (deploy/local/supervise.py) names the command it runs: not that process.
            if command_part.encode() not in command or b"supervise.py" in command:
                continue
            if service and not os.readlink(entry / "cwd").endswith(f"/services/{service}"):
                continue
            pids.append(int(entry.name))
        except OSError:
            continue
    return sorted(pids)


def broker_pid(stack: Stack) -> int:
    return int((stack.work_dir / "var" / "rabbitmq" / "rabbitmq.pid").read_text())
