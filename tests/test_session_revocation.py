"""Ending a sign-in ends its access tokens on every service within seconds (issue 15):
logout, a password change and a reused refresh token, through the gateway."""

import time

import pytest

from tests.conftest import Account, sign_up

# Normally well under a second: the users relay polls every 0.2 s and the consumers apply the
# event at once. The deadline is what "within seconds" promises, with room for a busy machine.
DEADLINE_SECONDS = 10
ELSEWHERE = ("/api/v1/feed", "/api/v1/notifications")


def statuses(api, access: str) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {access}"}
    return {path: api.get(path, headers=headers).status_code for path in ELSEWHERE}


def refused_everywhere_within_the_deadline(api, access: str) -> float:
    """Poll the feed and notifications with `access` until both answer 401; the seconds it took."""
    started = time.monotonic()
    while True:
        seen = statuses(api, access)
        if set(seen.values()) == {401}:
            return time.monotonic() - started
        if time.monotonic() - started > DEADLINE_SECONDS:
            pytest.fail(f"still accepted after {DEADLINE_SECONDS}s: {seen}")
        time.sleep(0.05)


def sign_in(api, account: Account, password: str | None = None) -> dict[str, str]:
    response = api.post(
        "/api/v1/auth/token",
        json={"email": account.email, "password": password or account.password},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_logout_ends_the_access_token_on_every_service(api):
    account = sign_up(api)
    other = sign_in(api, account)
    assert statuses(api, account.access) == dict.fromkeys(ELSEWHERE, 200)

    assert api.post("/api/v1/auth/logout", json={"refresh": account.refresh}).status_code == 204

    assert api.get("/api/v1/users/me", headers=account.auth).status_code == 401
    refused_everywhere_within_the_deadline(api, account.access)
    # The account's other sign-in goes on.
    assert statuses(api, other["access"]) == dict.fromkeys(ELSEWHERE, 200)
    assert api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {other['access']}"}).ok


def test_a_password_change_ends_every_earlier_access_token_on_every_service(api):
    account = sign_up(api)
    second = sign_in(api, account)
    new_password = "a different passphrase 7"
    changed = api.post(
        "/api/v1/users/me/password",
        json={"old_password": account.password, "new_password": new_password},
        headers=account.auth,
    )
    assert changed.status_code == 204

    for access in (account.access, second["access"]):
        assert (
            api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {access}"}).status_code
            == 401
        )
        refused_everywhere_within_the_deadline(api, access)
    fresh = sign_in(api, account, password=new_password)
    assert statuses(api, fresh["access"]) == dict.fromkeys(ELSEWHERE, 200)


def test_a_reused_refresh_token_ends_the_chain_it_grew_on_every_service(api):
    account = sign_up(api)
    rotated = api.post("/api/v1/auth/token/refresh", json={"refresh": account.refresh}).json()
    assert statuses(api, rotated["access"]) == dict.fromkeys(ELSEWHERE, 200)

    reused = api.post("/api/v1/auth/token/refresh", json={"refresh": account.refresh})
    assert reused.status_code == 401

    assert (
        api.post("/api/v1/auth/token/refresh", json={"refresh": rotated["refresh"]}).status_code
        == 401
    )
    refused_everywhere_within_the_deadline(api, rotated["access"])
