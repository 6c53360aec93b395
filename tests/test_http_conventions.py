"""Retries and rate-limit signalling through the real gateway: Idempotency-Key, RateLimit fields."""

import http.client
import io
import json
import re
import uuid
from urllib.parse import urlsplit

from PIL import Image

ITEM = re.compile(r'^"([^"]+)"((?:;[a-z]+=\d+)+)$')


def fields(value: str) -> dict[str, dict[str, int]]:
    """Parse a RateLimit / RateLimit-Policy list (all its lines, joined); fail if malformed."""
    parsed = {}
    for raw in value.split(","):
        match = ITEM.match(raw.strip())
        assert match, f"malformed item {raw!r} in {value!r}"
        parsed[match[1]] = {k: int(v) for k, v in (p.split("=") for p in match[2][1:].split(";"))}
    return parsed


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_retried_post_creation_creates_one_post(api, account):
    headers = {**account.auth, "Idempotency-Key": str(uuid.uuid4())}
    first = api.post("/api/v1/posts", json={"title": "sent twice"}, headers=headers)
    retry = api.post("/api/v1/posts", json={"title": "sent twice"}, headers=headers)
    changed = api.post("/api/v1/posts", json={"title": "not the same"}, headers=headers)

    assert first.status_code == 201, first.text
    assert retry.status_code == 201
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json() == first.json()
    assert changed.status_code == 422
    assert changed.json()["detail"]
    posts = api.get(f"/api/v1/users/{account.id}/posts").json()["results"]
    assert [post["id"] for post in posts] == [first.json()["id"]]


def test_a_retried_upload_creates_one_post_although_the_multipart_boundary_changes(api, account):
    # `requests` draws a new random boundary for every call, as most HTTP clients do.
    headers = {**account.auth, "Idempotency-Key": str(uuid.uuid4())}
    image = png((10, 120, 200))

    def send():
        return api.post(
            "/api/v1/posts",
            data={"title": "blue"},
            files=[("images", ("blue.png", image, "image/png"))],
            headers=headers,
        )

    first, retry = send(), send()
    assert first.status_code == 201, first.text
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    posts = api.get(f"/api/v1/users/{account.id}/posts").json()["results"]
    assert len(posts) == 1


def test_an_invalid_idempotency_key_is_a_json_400(api, account):
    response = api.post(
        "/api/v1/posts",
        json={"title": "x"},
        headers={**account.auth, "Idempotency-Key": "has spaces"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_auth_responses_announce_the_gateway_policy_and_the_services_own(stack, api):
    suffix = uuid.uuid4().hex[:10]
    response = api.post(
        "/api/v1/auth/signup",
        json={
            "email": f"rl{suffix}@example.com",
            "username": f"rl_{suffix}",
            "password": "a sturdy passphrase 42",
        },
    )
    assert response.status_code == 201, response.text
    policies = fields(response.headers["RateLimit-Policy"])
    quota, unit = re.fullmatch(r"(\d+)r/([sm])", stack.env.get("AUTH_RATE_LIMIT", "10r/s")).groups()
    assert policies["gateway-auth"] == {"q": int(quota), "w": 1 if unit == "s" else 60}
    assert "signup" in policies
    # nginx cannot count what is left: RateLimit comes from the service, for its policies only.
    state = fields(response.headers["RateLimit"])
    assert "gateway-auth" not in state
    assert state["signup"]["r"] < policies["signup"]["q"]
    assert response.headers["X-Request-ID"].count(",") == 0


def test_the_gateways_auth_limit_answers_json_429_with_retry_after(stack):
    # nginx limits per client address, and every other test is 127.0.0.1: this burst comes from
    # 127.0.0.2 (still loopback) so it exhausts a bucket of its own and starves nobody.
    parts = urlsplit(stack.url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=10, source_address=("127.0.0.2", 0)
    )
    limited = None
    try:
        for _ in range(1000):  # the default burst is 50 over 10 r/s; bounded whatever the config
            # An unknown auth path: counted by the gateway, answered 404 by Django's URL
            # resolver without touching a database.
            conn.request("GET", "/api/v1/auth/no-such-endpoint")
            response = conn.getresponse()
            body = response.read()
            if response.status == 429:
                limited = (response, body)
                break
            assert response.status == 404, body
    finally:
        conn.close()

    assert limited is not None, "the gateway never limited a burst of 1000 auth requests"
    response, body = limited
    assert response.getheader("Content-Type").startswith("application/json")
    assert json.loads(body) == {"detail": "Too many requests; slow down."}
    assert int(response.getheader("Retry-After")) >= 1
    assert fields(response.getheader("RateLimit")) == {
        "gateway-auth": {"r": 0, "t": int(response.getheader("Retry-After"))}
    }
    assert "gateway-auth" in fields(response.getheader("RateLimit-Policy"))
    assert response.getheader("X-Request-ID")
