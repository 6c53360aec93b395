"""The timeouts line up (docs/security.md, "Work done after the client gave up"): a request that
starts can finish before the gateway gives up, and no worker is killed under a statement that is
still allowed to run. Read from where each is set, the defaults and `.env.example` alike."""

import re

from tests.deploy.support import REPO

SHARED = REPO / "shared" / "src" / "shared"


def default(path, pattern: str) -> float:
    match = re.search(pattern, path.read_text())
    assert match, f"{pattern} not in {path}"
    return float(match.group(1))


def documented(name: str) -> float:
    return default(REPO / ".env.example", rf"(?m)^# {name}=([0-9.]+)\b")


def timeouts() -> dict[str, float]:
    template = REPO / "gateway" / "templates" / "gateway.conf.template"
    return {
        "proxy_read": default(template, r"\bproxy_read_timeout ([0-9]+)s;"),
        "queue": default(
            SHARED / "middleware.py", r'"REQUEST_QUEUE_DEADLINE_SECONDS", "([0-9.]+)"'
        ),
        "statement": default(
            SHARED / "settings.py", r"'DB_STATEMENT_TIMEOUT_MS', default=([0-9_]+)"
        )
        / 1000,
        "gunicorn": default(SHARED / "gunicorn_conf.py", r'"GUNICORN_TIMEOUT", "([0-9]+)"'),
    }


def test_the_documented_defaults_are_the_codes():
    found = timeouts()
    assert documented("REQUEST_QUEUE_DEADLINE_SECONDS") == found["queue"]
    assert documented("DB_STATEMENT_TIMEOUT_MS") / 1000 == found["statement"]
    assert documented("GUNICORN_TIMEOUT") == found["gunicorn"]


def test_a_request_that_starts_can_finish_before_the_gateway_gives_up():
    found = timeouts()
    assert found["queue"] + found["statement"] < found["proxy_read"]
    assert found["statement"] < found["gunicorn"]
    assert found["gunicorn"] >= found["proxy_read"]


# Slow clients (docs/security.md): the gateway's own waits on a client, where each deployment
# sets them. Every place that ships a default ships the same one.
SLOW_CLIENT_SETTINGS = ("CLIENT_HEADER_TIMEOUT", "CLIENT_BODY_TIMEOUT", "CONNECTIONS_PER_CLIENT")


def shipped(name: str) -> dict[str, str]:
    def find(path, pattern: str) -> str:
        match = re.search(pattern, path.read_text())
        assert match, f"{name} not in {path}"
        return match.group(1)

    return {
        "native": find(REPO / "deploy" / "local" / "stack.py", rf'"{name}": "([^"]+)"'),
        ".env.example": find(REPO / ".env.example", rf"(?m)^# {name}=(\S+)"),
        "ec2": find(REPO / "deploy" / "ec2" / "env.template", rf"(?m)^{name}=(\S+)$"),
        "k8s": find(REPO / "deploy" / "k8s" / "gateway.yaml", rf'(?m)^  {name}: "?([^"\s]+)"?$'),
        **{
            compose: find(REPO / compose, rf"(?m)^      {name}: \$\{{{name}:-([^}}]+)\}}$")
            for compose in ("docker-compose.yml", "docker-compose-prod.yml")
        },
    }


def test_every_deployment_ships_the_same_slow_client_limits():
    for name in SLOW_CLIENT_SETTINGS:
        values = shipped(name)
        assert len(set(values.values())) == 1, values


def test_the_gateway_bounds_every_wait_on_a_client_and_buffers_for_the_workers():
    header, body, per_client = (shipped(name)["native"] for name in SLOW_CLIENT_SETTINGS)
    # Below nginx's default of 60 s; a header is small, a body may cross a poor mobile link.
    assert 1 <= float(header.removesuffix("s")) <= 15
    assert 1 <= float(body.removesuffix("s")) <= 30
    # Enough for a browser's parallel requests and a busy client, few against 4096 connections.
    assert 16 <= int(per_client) <= 256
    template = (REPO / "gateway" / "templates" / "gateway.conf.template").read_text()
    for directive in (
        "client_header_timeout ${CLIENT_HEADER_TIMEOUT};",
        "client_body_timeout ${CLIENT_BODY_TIMEOUT};",
        "limit_conn per_client ${CONNECTIONS_PER_CLIENT};",
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "reset_timedout_connection on;",
    ):
        assert directive in template
    # A location that passes a slow client's body through would hand it to a sync worker.
    assert not re.search(r"\b(proxy_request_buffering|proxy_buffering) off\b", template)
    send = default(
        REPO / "gateway" / "templates" / "gateway.conf.template", r"\bsend_timeout ([0-9]+)s;"
    )
    assert send <= 60
    for main in ("gateway/nginx.native.conf.template", "gateway/docker/nginx.conf"):
        # Above a load balancer's usual 60 s idle timeout, so it never reuses a closed connection.
        keepalive = default(REPO / main, r"\bkeepalive_timeout ([0-9]+)s;")
        assert 60 < keepalive <= 120
