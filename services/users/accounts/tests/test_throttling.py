"""Throttles on sign-up, token, refresh and password-checking endpoints (`throttle_scope`)."""

import pytest
from conftest import PASSWORD, bearer
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_every_auth_scope_has_a_rate():
    configured = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert {"signup", "token", "token_refresh", "password"} <= set(configured)
    assert all(configured[scope] for scope in ("signup", "token", "token_refresh"))


def test_sign_up_over_the_rate_is_a_429_with_retry_after(client, rates):
    rates(signup="2/min")
    statuses = []
    for n in range(3):
        body = {"email": f"s{n}@example.com", "username": f"s{n}", "password": PASSWORD}
        statuses.append(client.post("/api/v1/auth/signup", body, format="json"))
    assert [response.status_code for response in statuses] == [201, 201, 429]
    assert int(statuses[-1]["Retry-After"]) > 0
    assert "detail" in statuses[-1].json()


def test_token_over_the_rate_is_a_429_even_with_the_right_password(client, user, rates):
    rates(token="3/min")
    body = {"email": "ann@example.com", "password": "wrong password"}
    for _ in range(3):
        assert client.post("/api/v1/auth/token", body, format="json").status_code == 401
    body["password"] = PASSWORD
    response = client.post("/api/v1/auth/token", body, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_refresh_over_the_rate_is_a_429(client, rates):
    rates(token_refresh="1/min")
    assert client.post("/api/v1/auth/token/refresh", {"refresh": "x"}).status_code == 401
    assert client.post("/api/v1/auth/token/refresh", {"refresh": "x"}).status_code == 429


def test_clients_behind_the_gateway_are_counted_apart(client, rates):
    rates(signup="1/min")
    for n, address in enumerate(("203.0.113.1", "203.0.113.2")):
        body = {"email": f"g{n}@example.com", "username": f"g{n}", "password": PASSWORD}
        response = client.post(
            "/api/v1/auth/signup", body, format="json", HTTP_X_FORWARDED_FOR=address
        )
        assert response.status_code == 201


def test_password_checks_are_throttled_per_user(client, user, rates):
    rates(password="2/min")
    body = {"old_password": "wrong guess 1", "new_password": "a brand new passphrase 7"}
    headers = bearer(user)
    codes = [
        client.post("/api/v1/users/me/password", body, format="json", **headers).status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]
    deleting = client.delete("/api/v1/users/me", {"password": "guess"}, format="json", **headers)
    assert deleting.status_code == 429
    # Reading one's profile is not a password check.
    assert client.get("/api/v1/users/me", **headers).status_code == 200
