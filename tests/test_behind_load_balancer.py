"""The gateway behind a TLS load balancer: forwarded headers are believed from trusted proxies only.

The e2e stack trusts 127.0.0.2 (TRUSTED_PROXIES): a connection from there plays the load balancer
that terminated TLS; every other test connects from 127.0.0.1, an ordinary client.
"""

import http.client
import json
from urllib.parse import urlsplit

from tests.conftest import TRUSTED_PROXY


def gateway_get(stack, path: str, *, source: str, headers: dict[str, str]):
    """GET through the gateway from `source`, a loopback address: (status, headers, body)."""
    parts = urlsplit(stack.url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=(source, 0)
    )
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def gateway_post(stack, path: str, body: dict, *, source: str, headers: dict[str, str]) -> int:
    parts = urlsplit(stack.url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=(source, 0)
    )
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Content-Type": "application/json", **headers},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def two_posts(api, account) -> str:
    for title in ("first", "second"):
        created = api.post("/api/v1/posts", json={"title": title}, headers=account.auth)
        assert created.status_code == 201, created.text
    return f"/api/v1/users/{account.id}/posts?page_size=1"


def test_links_keep_the_https_scheme_a_trusted_load_balancer_forwards(stack, api, account):
    path = two_posts(api, account)
    status, headers, body = gateway_get(
        stack,
        path,
        source=TRUSTED_PROXY,
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
    )
    assert status == 200, body
    assert json.loads(body)["next"].startswith("https://")
    assert 'rel="next"' in headers["Link"]
    assert "<https://" in headers["Link"]


def test_an_ordinary_client_cannot_claim_https(stack, api, account):
    path = two_posts(api, account)
    status, headers, body = gateway_get(
        stack, path, source="127.0.0.1", headers={"X-Forwarded-Proto": "https"}
    )
    assert status == 200, body
    assert json.loads(body)["next"].startswith("http://")
    assert "<https://" not in headers["Link"]


def test_the_auth_rate_limit_counts_each_client_behind_the_load_balancer(stack):
    """10 r/s with a burst of 50 per client address: one client behind the load balancer runs
    out; another behind the same balancer, and the balancer's own address, do not."""

    def attempt(client: str) -> int:
        return gateway_post(
            stack,
            "/api/v1/auth/token",
            {"email": "nobody@example.com"},
            source=TRUSTED_PROXY,
            headers={"X-Forwarded-For": client},
        )

    statuses = [attempt("203.0.113.10") for _ in range(70)]
    assert 429 in statuses
    assert attempt("203.0.113.11") != 429
    assert gateway_post(stack, "/api/v1/auth/token", {}, source=TRUSTED_PROXY, headers={}) != 429


def test_an_ordinary_client_cannot_pick_its_rate_limit_bucket(stack):
    """From an untrusted peer X-Forwarded-For is ignored: a new value each time is still one
    client, whose bucket runs out."""
    statuses = [
        gateway_post(
            stack,
            "/api/v1/auth/token",
            {"email": "nobody@example.com"},
            source="127.0.0.3",
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        )
        for n in range(70)
    ]
    assert 429 in statuses
