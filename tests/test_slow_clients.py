"""Slow clients at the gateway (docs/security.md, "Slow clients"), through the real nginx.

A slow-header client (slowloris: a request line and a few header fields, then a byte now and
then) or a slow-body one (a whole header, then a body that trickles or stalls) reached a sync
gunicorn worker directly and held it. Behind the gateway nginx holds them instead: more of them
than every service has workers leave each service answering at once, and nginx drops them after
client_header_timeout (the whole header, however it dribbles) and client_body_timeout (a pause
in the body). The test stack shortens both (tests/conftest.py); the shipped values are checked
in tests/deploy/test_timeouts.py.
"""

import http.client
import json
import re
import select
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

# Each service's slow write (signed in, so that the service would read its body, holding a worker
# if it got the request before the body was whole) and the read that must still be answered
# promptly meanwhile.
SERVICES = {
    "users": (("PATCH", "/api/v1/users/me"), "/api/v1/users/me"),
    "feed": (("POST", "/api/v1/posts"), "/api/v1/feed"),
    "notifications": (("PATCH", "/api/v1/notifications/settings"), "/api/v1/notifications"),
}
PROMPT_SECONDS = 1.0
# How late after its timeout nginx may drop a connection (its timers, a loaded 2-core machine).
LATE_SECONDS = 2.0


def seconds(value: str) -> float:
    match = re.fullmatch(r"([0-9]+)s", value)
    assert match, f"expected whole seconds like '3s', got {value!r}"
    return float(match.group(1))


@dataclass
class SlowClient:
    sock: socket.socket
    kind: str
    opened: float
    last_sent: float
    closed_at: float | None = None
    received: bytes = field(default=b"")

    def dribble(self, data: bytes) -> None:
        if self.closed_at is not None:
            return
        try:
            self.sock.sendall(data)
            self.last_sent = time.monotonic()
        except OSError:
            self.closed_at = time.monotonic()

    def notice_close(self) -> None:
        """Read what nginx sent, if anything; an end of stream or a reset is the close."""
        if self.closed_at is not None:
            return
        readable, _, _ = select.select([self.sock], [], [], 0)
        if not readable:
            return
        try:
            chunk = self.sock.recv(65536)
        except OSError:
            chunk = b""
        if chunk:
            self.received += chunk
        else:
            self.closed_at = time.monotonic()


def connect(stack) -> socket.socket:
    parts = urlsplit(stack.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=5)


def open_slow_header(stack, path: str) -> SlowClient:
    sock = connect(stack)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a".encode())
    now = time.monotonic()
    return SlowClient(sock, "header", now, now)


def open_slow_body(stack, write: tuple[str, str], account) -> SlowClient:
    method, path = write
    sock = connect(stack)
    sock.sendall(
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: {account.auth['Authorization']}\r\n"
        f'Content-Length: 100000\r\n\r\n{{"text": "'.encode()
    )
    now = time.monotonic()
    return SlowClient(sock, "body", now, now)


def workers(stack, service: str) -> int:
    return int(stack.env[f"{service.upper()}_WORKERS"])


def timed_get(api, path: str, account) -> tuple[int, float]:
    started = time.monotonic()
    response = api.get(path, headers=account.auth, timeout=10)
    return response.status_code, time.monotonic() - started


def get_from(source: str, stack, path: str, account) -> int:
    parts = urlsplit(stack.url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=(source, 0)
    )
    try:
        conn.request("GET", path, headers=account.auth)
        return conn.getresponse().status
    finally:
        conn.close()


def test_slow_clients_hold_no_service_worker_and_are_dropped_after_the_gateways_timeouts(
    stack, api, account
):
    header_timeout = seconds(stack.env["CLIENT_HEADER_TIMEOUT"])
    body_timeout = seconds(stack.env["CLIENT_BODY_TIMEOUT"])
    slow: list[SlowClient] = []
    try:
        # Twice as many of each kind as the service has workers, plus one.
        for service, (write, _) in SERVICES.items():
            for _ in range(2 * workers(stack, service) + 1):
                slow.append(open_slow_header(stack, write[1]))
                slow.append(open_slow_body(stack, write, account))
        # Both kinds dribble a byte at a time, well within the timeouts, while every service is
        # asked for something ordinary.
        for _ in range(3):
            for client in slow:
                client.dribble(b"a" if client.kind == "header" else b"x")
            for service, (_, normal_path) in SERVICES.items():
                status, took = timed_get(api, normal_path, account)
                assert status == 200, (service, status)
                assert took < PROMPT_SECONDS, f"{service} took {took:.2f} s behind slow clients"
            time.sleep(0.3)
        assert all(client.closed_at is None for client in slow), "dropped too early"

        # From here the bodies stall; the headers keep dribbling, which does not extend them.
        header_deadline = max(c.opened for c in slow) + header_timeout + LATE_SECONDS
        body_deadline = max(c.last_sent for c in slow) + body_timeout + LATE_SECONDS
        while time.monotonic() < max(header_deadline, body_deadline):
            for client in slow:
                if client.kind == "header":
                    client.dribble(b"a")
                client.notice_close()
            if all(client.closed_at is not None for client in slow):
                break
            time.sleep(0.2)
        still_open = [client.kind for client in slow if client.closed_at is None]
        assert still_open == [], f"the gateway kept {len(still_open)} slow clients: {still_open}"
        for client in slow:
            if client.kind == "header":
                # The whole header's time, from the first byte: dribbling bought nothing.
                assert client.closed_at - client.opened >= header_timeout - 0.5
                assert client.closed_at - client.opened <= header_timeout + LATE_SECONDS
            else:
                assert client.closed_at - client.last_sent >= body_timeout - 0.5
            # Nothing of theirs reached a service: nginx answers a timeout by closing.
            assert b"HTTP/1.1 2" not in client.received
    finally:
        for client in slow:
            client.sock.close()

    for service, (_, normal_path) in SERVICES.items():
        status, took = timed_get(api, normal_path, account)
        assert status == 200, (service, status)
        assert took < PROMPT_SECONDS, (service, took)


def test_one_address_gets_its_share_of_requests_in_progress_then_a_json_503(stack, api, account):
    limit = int(stack.env["CONNECTIONS_PER_CLIENT"])
    # Slow bodies count once their header is read (nginx counts requests in progress, not idle
    # connections); a few over the limit, so that the address's share is surely taken.
    held = [open_slow_body(stack, SERVICES["feed"][0], account) for _ in range(limit + 5)]
    try:
        deadline = time.monotonic() + 5
        while True:
            response = api.get("/api/v1/feed", headers=account.auth)
            if response.status_code == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert response.status_code == 503, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.headers["Retry-After"] == "1"
        assert "detail" in json.loads(response.text)
        # Another address is not counted with this one.
        assert get_from("127.0.0.3", stack, "/api/v1/feed", account) == 200
    finally:
        for client in held:
            client.sock.close()
    # Closed, they count no more.
    deadline = time.monotonic() + 5
    while (response := api.get("/api/v1/feed", headers=account.auth)).status_code == 503:
        if time.monotonic() > deadline:
            pytest.fail("the address's closed requests still counted after 5 s")
        time.sleep(0.1)
    assert response.status_code == 200
