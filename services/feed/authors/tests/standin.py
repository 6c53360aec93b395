"""A local stand-in for the users service's internal API, for tests of code that calls it.

It is a real HTTP server on 127.0.0.1 in a background thread, so the feed's client goes through
its whole path (session, retries, timeouts, JSON); only the users service itself is replaced.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class UsersServiceStandIn:
    """Answers GET /internal/v1/users/{id}, GET /internal/v1/users?ids=... and
    GET /internal/v1/users/by-username?usernames=... from `users`, and
    POST /internal/v1/staff/sign-in from `accounts` (`add_account`) with tokens signed by the
    shared key, as the users service's sign-in does.

    `status` forces every answer's status code (e.g. 500); `hang` makes it never answer until
    the stand-in stops (for timeouts); `requests` records every path asked, with its token.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.users: dict[int, dict[str, Any]] = {}
        self.accounts: dict[str, tuple[str, dict[str, Any]]] = {}
        self.sign_ins: list[dict[str, Any]] = []
        self.status: int | None = None
        self.hang = False
        self.requests: list[tuple[str, str]] = []
        self.request_ids: list[str | None] = []
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, user_id: int, username: str, avatar_url: str | None = None) -> None:
        self.users[user_id] = {"id": user_id, "username": username, "avatar_url": avatar_url}

    def add_account(
        self, email: str, password: str, *, user_id: int, username: str, is_staff: bool = False
    ) -> None:
        claims = {"user_id": str(user_id), "username": username, "is_staff": is_staff}
        self.accounts[email] = (password, claims)

    def sign_in(self, body: bytes, user_agent: str | None, token: str | None) -> tuple[int, Any]:
        from rest_framework_simplejwt.tokens import AccessToken

        credentials = json.loads(body or b"{}")
        self.sign_ins.append({**credentials, "user_agent": user_agent})
        if self.status is not None:
            return self.status, {"detail": "forced"}
        if token != self.token:
            return 403, {"detail": "A valid internal service token is required."}
        password, claims = self.accounts.get(credentials.get("email"), (None, {}))
        if password is None or password != credentials.get("password"):
            return 401, {"detail": "No active account found with the given credentials"}
        token = AccessToken()
        for claim, value in claims.items():
            token[claim] = value
        return 200, {"access": str(token), "refresh": "not-used-here"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                standin.requests.append((self.path, self.headers.get("X-Internal-Token", "")))
                standin.request_ids.append(self.headers.get("X-Request-ID"))
                if standin.hang:
                    standin.stopping.wait()
                    return
                status, body = standin.answer(self.path, self.headers.get("X-Internal-Token"))
                self._send(status, body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if urlsplit(self.path).path != "/internal/v1/staff/sign-in":
                    self._send(404, {"detail": "Not found."})
                    return
                status, body = standin.sign_in(
                    self.rfile.read(length),
                    self.headers.get("User-Agent"),
                    self.headers.get("X-Internal-Token"),
                )
                self._send(status, body, retry_after="42" if status == 429 else None)

            def _send(self, status: int, body: Any, retry_after: str | None = None) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def answer(self, path: str, token: str | None) -> tuple[int, Any]:
        if self.status is not None:
            return self.status, {"detail": "forced"}
        if token != self.token:
            return 403, {"detail": "A valid internal service token is required."}
        parts = urlsplit(path)
        if parts.path == "/internal/v1/users/by-username":
            raw = parse_qs(parts.query).get("usernames", [""])[0]
            names = {name.lower() for name in raw.split(",") if name}
            return 200, {"results": [u for u in self.users.values() if u["username"] in names]}
        if parts.path == "/internal/v1/users":
            raw = parse_qs(parts.query).get("ids", [""])[0]
            ids = [int(part) for part in raw.split(",") if part]
            return 200, {"results": [self.users[i] for i in ids if i in self.users]}
        prefix = "/internal/v1/users/"
        if parts.path.startswith(prefix) and parts.path[len(prefix) :].isdigit():
            user = self.users.get(int(parts.path[len(prefix) :]))
            return (200, user) if user else (404, {"detail": "Not found."})
        return 404, {"detail": "Not found."}

    @contextmanager
    def running(self) -> Iterator["UsersServiceStandIn"]:
        thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self.stopping.set()
            self.server.shutdown()
            self.server.server_close()
            thread.join(timeout=5)
