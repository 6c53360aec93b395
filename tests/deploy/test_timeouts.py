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
