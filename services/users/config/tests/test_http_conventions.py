"""Idempotency-Key and rate-limit signalling as the users service runs them (shared.idempotency,
shared.throttling): anonymous auth endpoints, simplejwt-authenticated profile writes, uploads.
"""

import io
import re
import time
import uuid
from pathlib import Path

import pytest
from conftest import PASSWORD, bearer, image_bytes
from django.test.client import encode_multipart
from rest_framework.response import Response
from rest_framework.test import APIClient

from accounts.models import User
from shared.idempotency.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

KEY_HEADER = "HTTP_IDEMPOTENCY_KEY"
ITEM = re.compile(r'^"([^"]+)"((?:;[a-z]+=\d+)+)$')


def fields(value: str) -> dict[str, dict[str, int]]:
    """Parse a RateLimit / RateLimit-Policy list; fail on anything malformed."""
    parsed = {}
    for raw in value.split(","):
        match = ITEM.match(raw.strip())
        assert match, raw
        parsed[match[1]] = {k: int(v) for k, v in (p.split("=") for p in match[2][1:].split(";"))}
    return parsed


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def sign_up(
    client: APIClient, key: str, *, address: str = "10.1.1.1", **overrides: str
) -> Response:
    headers = {name: overrides.pop(name) for name in list(overrides) if name.startswith("HTTP_")}
    body = {"email": "ann@example.com", "username": "ann", "password": PASSWORD, **overrides}
    return client.post(
        "/api/v1/auth/signup",
        body,
        format="json",
        HTTP_X_FORWARDED_FOR=address,
        **{KEY_HEADER: key},
        **headers,
    )


@pytest.fixture
def rates(settings):
    def apply(**overrides: str | None) -> None:
        config = dict(settings.REST_FRAMEWORK)
        config["DEFAULT_THROTTLE_RATES"] = {**config["DEFAULT_THROTTLE_RATES"], **overrides}
        settings.REST_FRAMEWORK = config

    return apply


# --- Idempotency-Key ------------------------------------------------------------------------


def test_a_retried_sign_up_replays_the_first_response_and_creates_one_account(client):
    key = new_key()
    first = sign_up(client, key)
    retry = sign_up(client, key)

    assert first.status_code == 201
    assert retry.status_code == 201
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json() == first.json()
    assert User.objects.count() == 1


def test_anonymous_keys_belong_to_the_client_address(client):
    key = new_key()
    assert sign_up(client, key, address="10.1.1.1").status_code == 201
    # The same key from another address is another caller's request: it runs (and the email
    # is taken by now).
    elsewhere = sign_up(client, key, address="10.9.9.9")
    assert elsewhere.status_code == 400
    assert "Idempotency-Replayed" not in elsewhere.headers


def test_the_same_key_with_another_sign_up_body_is_422(client):
    key = new_key()
    sign_up(client, key)
    other = sign_up(client, key, email="bob@example.com", username="bob")
    assert other.status_code == 422
    assert set(other.json()) == {"detail"}
    assert User.objects.count() == 1


def test_an_invalid_key_is_a_json_400(client):
    response = sign_up(client, "no spaces allowed")
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert not User.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/auth/token/refresh"])
def test_issued_tokens_are_never_kept_or_replayed(client, user, path):
    tokens = client.post(
        "/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json"
    ).json()
    body = (
        {"refresh": tokens["refresh"]}
        if path.endswith("refresh")
        else {"email": user.email, "password": PASSWORD}
    )
    key = new_key()

    first = client.post(path, body, format="json", **{KEY_HEADER: key})
    retry = client.post(path, body, format="json", **{KEY_HEADER: key})

    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    assert "Idempotency-Replayed" not in retry.headers
    # The endpoint ran again: a second log-in issues new tokens, a second rotation of the
    # same refresh token is refused as spent.
    if path.endswith("refresh"):
        assert retry.status_code == 401
    else:
        assert retry.status_code == 200
        assert retry.json()["access"] != first.json()["access"]
    assert not IdempotencyRecord.objects.exists()


def test_logout_runs_every_time_and_keeps_nothing(client, user):
    tokens = client.post(
        "/api/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json"
    ).json()
    key = new_key()
    body = {"refresh": tokens["refresh"]}

    first = client.post("/api/v1/auth/logout", body, format="json", **{KEY_HEADER: key})
    retry = client.post("/api/v1/auth/logout", body, format="json", **{KEY_HEADER: key})

    assert (first.status_code, retry.status_code) == (204, 401)
    assert not IdempotencyRecord.objects.exists()


def test_profile_writes_are_keyed_by_the_user_of_the_access_token(client, make_user):
    ann, bob = make_user(), make_user()
    key = new_key()

    def patch(user: User, bio: str):
        return client.patch(
            "/api/v1/users/me", {"bio": bio}, format="json", **bearer(user), **{KEY_HEADER: key}
        )

    first = patch(ann, "first")
    retry = patch(ann, "first")
    bobs = patch(bob, "first")

    assert first.status_code == bobs.status_code == 200
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in bobs.headers
    assert bobs.json()["id"] == bob.id
    assert IdempotencyRecord.objects.filter(key=key).count() == 2


def test_an_invalid_access_token_is_a_401_from_the_view_and_claims_nothing(client):
    response = client.patch(
        "/api/v1/users/me",
        {"bio": "x"},
        format="json",
        HTTP_AUTHORIZATION="Bearer nope",
        **{KEY_HEADER: new_key()},
    )
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_a_retried_avatar_upload_with_a_new_boundary_stores_one_avatar(client, user, settings):
    key = new_key()

    def put(boundary: str):
        avatar = io.BytesIO(image_bytes())
        avatar.name = "me.png"
        return client.put(
            "/api/v1/users/me/avatar",
            data=encode_multipart(boundary, {"avatar": avatar}),
            content_type=f"multipart/form-data; boundary={boundary}",
            **bearer(user),
            **{KEY_HEADER: key},
        )

    first, retry = put("boundary-one"), put("boundary-two")

    assert first.status_code == 200, first.content
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.json()["avatar_url"] == first.json()["avatar_url"]
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert len(stored) == 1, stored


# --- rate limits ----------------------------------------------------------------------------


def test_sign_up_announces_its_own_policy_and_the_writes_policy(client):
    response = sign_up(client, new_key())
    policies = fields(response.headers["RateLimit-Policy"])
    state = fields(response.headers["RateLimit"])
    assert set(policies) == {"signup", "writes"}
    assert state["signup"]["r"] == policies["signup"]["q"] - 1
    assert 1 <= state["signup"]["t"] <= policies["signup"]["w"]


def test_a_throttled_log_in_is_a_json_429_with_retry_after(client, user, rates):
    rates(token="2/min")
    body = {"email": user.email, "password": PASSWORD}
    responses = [client.post("/api/v1/auth/token", body, format="json") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 429]
    limited = responses[-1]
    assert set(limited.json()) == {"detail"}
    assert int(limited.headers["Retry-After"]) == fields(limited.headers["RateLimit"])["token"]["t"]
    assert fields(limited.headers["RateLimit"])["token"]["r"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/auth/signup"])
def test_a_json_body_nested_too_deeply_is_a_400_not_a_500(client, path):
    response = client.post(path, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.django_db
def test_a_json_body_over_the_cap_is_a_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"email": "ann@example.com", "password": "' + "x" * 1000 + '"}'

    response = client.post("/api/v1/auth/token", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large."}
    # Under the cap the body is parsed as usual (wrong credentials here).
    small = {"email": "ann@example.com", "password": "x" * 100}
    response = client.post("/api/v1/auth/token", small, format="json")
    assert response.status_code == 401


def test_an_unknown_path_is_a_json_404_that_echoes_the_request_id(client):
    response = client.get("/api/v1/no-such-endpoint", HTTP_X_REQUEST_ID="req-1")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert response["X-Request-ID"] == "req-1"


# --- Who may speak for the client (shared.middleware) ----------------------------------------


def test_a_forwarded_address_from_a_peer_that_is_not_the_gateway_is_ignored(client, rates):
    """Reached directly, a client cannot pick the address its limits are counted against."""
    rates(signup="1/min")

    def direct(address: str, n: int):
        body = {"email": f"d{n}@example.com", "username": f"d{n}", "password": PASSWORD}
        return client.post(
            "/api/v1/auth/signup",
            body,
            format="json",
            REMOTE_ADDR="192.0.2.9",
            HTTP_X_FORWARDED_FOR=address,
        )

    assert direct("10.0.0.1", 1).status_code == 201
    assert direct("10.0.0.2", 2).status_code == 429


def test_the_gateway_names_the_client(client, rates):
    rates(signup="1/min")
    assert sign_up(client, new_key(), address="10.0.0.1").status_code == 201
    other = sign_up(client, new_key(), address="10.0.0.2", email="b@example.com", username="b")
    assert other.status_code == 201


# --- Deadlines from the gateway (shared.middleware.RequestDeadlineMiddleware) ----------------


def test_a_request_that_queued_past_its_deadline_is_a_503_and_is_not_run(client, settings):
    settings.REQUEST_QUEUE_DEADLINE_SECONDS = 15
    stale = sign_up(client, new_key(), HTTP_X_REQUEST_START=f"t={time.time() - 16:.3f}")

    assert stale.status_code == 503
    assert stale.headers["Retry-After"] == "1"
    assert set(stale.json()) == {"detail"}
    assert not User.objects.exists()


@pytest.mark.parametrize("stamp", ["now", "garbage", "t=inf", "t=nan"])
def test_a_fresh_or_unreadable_stamp_runs_the_request(client, stamp):
    value = f"t={time.time():.3f}" if stamp == "now" else stamp
    assert sign_up(client, new_key(), HTTP_X_REQUEST_START=value).status_code == 201


def test_a_stamp_from_a_peer_that_is_not_the_gateway_is_ignored(client):
    response = client.post(
        "/api/v1/auth/signup",
        {"email": "ann@example.com", "username": "ann", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="192.0.2.9",
        HTTP_X_REQUEST_START=f"t={time.time() - 3600:.3f}",
    )
    assert response.status_code == 201
