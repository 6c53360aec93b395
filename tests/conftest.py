"""End-to-end fixtures: an isolated stack on free ports, driven through the real nginx gateway.

The stack is the one `make up` starts (deploy/local/stack.py), with its own state folder, its own
Postgres cluster, its own secrets and its own ports, so it never touches a developer's stack. It
is stopped whatever happens.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
STACK = REPO / "deploy" / "local" / "stack.py"

sys.path.insert(0, str(STACK.parent))
from stack import free_port  # noqa: E402 - the stack runner's own port picker

TRUSTED_PROXY = "127.0.0.2"


def listening_pids(port: int) -> list[int]:
    """Pids of the processes serving `port` (a gunicorn master and its workers share it)."""
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True)
    return sorted({int(pid) for pid in re.findall(r"pid=(\d+)", out.stdout)})


@dataclass
class Stack:
    url: str
    users_url: str
    feed_url: str
    notifications_url: str
    env: dict[str, str]
    work_dir: Path

    @property
    def mail_dir(self) -> Path:
        """Where the stack's SMTP sink keeps every message it accepted, one .eml file each."""
        return self.work_dir / "var" / "mail"

    def stack_command(
        self, command: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(STACK), command, *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=180,
        )


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    base = os.environ.get("E2E_WORK_DIR")
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
        work_dir = Path(base)
    else:
        work_dir = Path(tempfile.mkdtemp(prefix="social-e2e-"))
    # The Postgres user must be able to reach the cluster folder.
    work_dir.chmod(0o755)
    ports = {
        name: str(free_port())
        for name in (
            "PG_PORT",
            "USERS_PORT",
            "FEED_PORT",
            "NOTIFICATIONS_PORT",
            "GATEWAY_PORT",
            "BROKER_PORT",
            "BROKER_DIST_PORT",
            "BROKER_EPMD_PORT",
            "SMTP_PORT",
        )
    }
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_DATABASE_URL", "_MEDIA_ROOT"))},
        **ports,
        "VAR_DIR": str(work_dir / "var"),
        "ENV_FILE": str(work_dir / ".env"),
        "USERS_WORKERS": "2",
        "FEED_WORKERS": "2",
        "NOTIFICATIONS_WORKERS": "1",
        "GATEWAY_WORKERS": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        # Two relays and two consumers per service all along: every test also checks that
        # they share the work without losing or doubling anything.
        "EVENT_WORKERS": "2",
        # tests/test_event_faults.py stops and freezes the broker and the consumers: with the
        # defaults (heartbeats every 20 s, back-off up to 10 s) each would take a minute to
        # notice. One message in flight per consumer, so the rest wait visibly in the queue.
        "EVENTS_BROKER_HEARTBEAT_SECONDS": "2",
        "EVENTS_RETRY_BASE_SECONDS": "0.05",
        "EVENTS_RETRY_MAX_SECONDS": "1",
        "EVENTS_MAX_ATTEMPTS": "3",
        "EVENTS_CONSUMER_PREFETCH": "1",
        # The "load balancer" of tests/test_gateway.py connects from 127.0.0.2; every other test
        # connects from 127.0.0.1, an untrusted client.
        "TRUSTED_PROXIES": TRUSTED_PROXY,
        # tests/test_slow_clients.py waits for the gateway to drop slow clients, and fills one
        # address's share of requests in progress: short here, the shipped values are checked
        # in tests/deploy/test_timeouts.py.
        "CLIENT_HEADER_TIMEOUT": "3s",
        "CLIENT_BODY_TIMEOUT": "3s",
        "CONNECTIONS_PER_CLIENT": "40",
        # tests/test_account_lifecycle.py freezes the SMTP sink, likewise.
        "EMAIL_TIMEOUT": "2",
        "MAIL_RETRY_BASE_SECONDS": "0.5",
        "MAIL_RETRY_MAX_SECONDS": "2",
    }
    gateway = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
    handle = Stack(
        url=gateway,
        users_url=f"http://127.0.0.1:{ports['USERS_PORT']}",
        feed_url=f"http://127.0.0.1:{ports['FEED_PORT']}",
        notifications_url=f"http://127.0.0.1:{ports['NOTIFICATIONS_PORT']}",
        env=env,
        work_dir=work_dir,
    )
    init = handle.stack_command("init-env")
    assert init.returncode == 0, init.stderr
    env.update(
        line.split("=", 1)
        for line in (work_dir / ".env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    started = handle.stack_command("up")
    try:
        assert started.returncode == 0, f"stack did not start:\n{started.stdout}\n{started.stderr}"
        yield handle
    finally:
        handle.stack_command("down")
        if not base:
            shutil.rmtree(work_dir, ignore_errors=True)


class Api(requests.Session):
    """A session whose paths are relative to the gateway."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", 30)
        if url.startswith("/"):
            url = self.base_url + url
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def api(stack: Stack) -> Iterator[Api]:
    with Api(stack.url) as session:
        yield session


@dataclass
class Account:
    id: int
    email: str
    username: str
    password: str
    access: str
    refresh: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


def sign_up(api: Api, **fields: str) -> Account:
    """Create an account through the gateway and log in."""
    suffix = uuid.uuid4().hex[:10]
    body = {
        "email": f"user{suffix}@example.com",
        "username": f"user_{suffix}",
        "password": "a sturdy passphrase 42",
        **fields,
    }
    created = api.post("/api/v1/auth/signup", json=body)
    assert created.status_code == 201, created.text
    tokens = api.post(
        "/api/v1/auth/token", json={"email": body["email"], "password": body["password"]}
    )
    assert tokens.status_code == 200, tokens.text
    return Account(
        id=created.json()["id"],
        email=body["email"],
        username=created.json()["username"],
        password=body["password"],
        access=tokens.json()["access"],
        refresh=tokens.json()["refresh"],
    )


@pytest.fixture
def account(api: Api) -> Account:
    return sign_up(api)
