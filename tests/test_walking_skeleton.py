"""The platform's proof: one token from the users service works on the feed service."""

import os
import re
import signal
import subprocess

from tests.conftest import sign_up


def test_sign_up_token_profile_then_post_on_the_feed_and_read_it_back(api):
    account = sign_up(api, name="Ann")

    me = api.get("/api/v1/users/me", headers=account.auth)
    assert me.status_code == 200
    assert me.json()["username"] == account.username
    assert me.json()["email"] == account.email

    created = api.post("/api/v1/posts", json={"title": "First light"}, headers=account.auth)
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]

    read = api.get(f"/api/v1/posts/{post_id}")
    assert read.status_code == 200
    assert read.json()["title"] == "First light"


def test_feed_rejects_a_token_signed_with_another_key(api, account):
    header, payload, _signature = account.access.split(".")
    forged = f"{header}.{payload}.{'A' * 43}"
    response = api.post(
        "/api/v1/posts", json={"title": "x"}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert "detail" in response.json()


def test_feed_verifies_tokens_while_the_users_service_is_down(stack, api, account):
    """The feed never calls the users service to authenticate: stop it and keep posting."""
    users_pids = _listening_pids(int(stack.users_url.rsplit(":", 1)[1]))
    assert users_pids
    for pid in users_pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        created = api.post("/api/v1/posts", json={"body": "still here"}, headers=account.auth)
        assert created.status_code == 201, created.text
    finally:
        for pid in users_pids:
            os.kill(pid, signal.SIGCONT)


def _listening_pids(port: int) -> list[int]:
    """Pids of the gunicorn processes serving `port` (master and workers share the socket)."""
    out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True)
    return sorted({int(pid) for pid in re.findall(r"pid=(\d+)", out.stdout)})
