"""The users service's stories through the gateway, as a client app would tell them."""

import io
import uuid

import requests
from PIL import Image

from tests.conftest import sign_up

PASSWORD = "a sturdy passphrase 42"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color=(10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def refresh(api, token: str) -> requests.Response:
    return api.post("/api/v1/auth/token/refresh", json={"refresh": token})


def test_sign_up_token_edit_profile_refresh_and_log_out(api):
    suffix = uuid.uuid4().hex[:8]
    created = api.post(
        "/api/v1/auth/signup",
        json={
            "email": f"Flow{suffix}@Example.com",
            "username": f"Flow_{suffix}",
            "password": PASSWORD,
            "name": "Flo",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["username"] == f"flow_{suffix}"
    duplicate = api.post(
        "/api/v1/auth/signup",
        json={"email": f"FLOW{suffix}@example.com", "username": "x" + suffix, "password": PASSWORD},
    )
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()

    wrong = api.post(
        "/api/v1/auth/token", json={"email": f"flow{suffix}@example.com", "password": "nope"}
    )
    assert wrong.status_code == 401
    tokens = api.post(
        "/api/v1/auth/token", json={"email": f"flow{suffix}@example.com", "password": PASSWORD}
    )
    assert tokens.status_code == 200
    auth = {"Authorization": f"Bearer {tokens.json()['access']}"}

    put = api.put(
        "/api/v1/users/me",
        json={
            "username": f"Renamed_{suffix}",
            "name": "Flo Renamed",
            "bio": "Hi there",
            "website": "https://flo.example",
            "email": "hijack@example.com",
            "is_staff": True,
        },
        headers=auth,
    )
    assert put.status_code == 200, put.text
    assert put.json()["username"] == f"renamed_{suffix}"
    assert put.json()["email"] == f"Flow{suffix}@example.com"
    incomplete = api.put("/api/v1/users/me", json={"username": "x"}, headers=auth)
    assert incomplete.status_code == 400
    patch = api.patch("/api/v1/users/me", json={"bio": "Only the bio"}, headers=auth)
    assert patch.status_code == 200
    assert (patch.json()["name"], patch.json()["bio"]) == ("Flo Renamed", "Only the bio")

    rotated = refresh(api, tokens.json()["refresh"])
    assert rotated.status_code == 200
    assert refresh(api, tokens.json()["refresh"]).status_code == 401

    logout = api.post("/api/v1/auth/logout", json={"refresh": rotated.json()["refresh"]})
    assert logout.status_code == 204
    assert refresh(api, rotated.json()["refresh"]).status_code == 401


def test_avatar_is_served_by_the_gateway_from_an_absolute_url(api, stack, account):
    uploaded = api.put(
        "/api/v1/users/me/avatar",
        files={"avatar": ("me.png", png_bytes(), "image/png")},
        headers=account.auth,
    )
    assert uploaded.status_code == 200, uploaded.text
    url = uploaded.json()["avatar_url"]
    assert url.startswith(f"{stack.url}/media/users/avatars/")
    served = requests.get(url, timeout=10)
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (40, 30)

    not_an_image = api.put(
        "/api/v1/users/me/avatar",
        files={"avatar": ("me.png", b"definitely not a png", "image/png")},
        headers=account.auth,
    )
    assert not_an_image.status_code == 400

    assert api.delete("/api/v1/users/me/avatar", headers=account.auth).status_code == 204
    assert api.get("/api/v1/users/me", headers=account.auth).json()["avatar_url"] is None
    assert requests.get(url, timeout=10).status_code == 404


def test_public_profile_lookup_and_search(api):
    tag = uuid.uuid4().hex[:6]
    first = sign_up(api, username=f"srch{tag}_one", name="Zed")
    second = sign_up(api, username=f"zz{tag}", name=f"Srch{tag} Person")

    profile = api.get(f"/api/v1/users/{first.id}")
    assert profile.status_code == 200
    assert "email" not in profile.json()
    assert api.get("/api/v1/users/999999999").status_code == 404

    lookup = api.get("/api/v1/users/lookup", params={"username": f"SRCH{tag}_ONE"})
    assert lookup.status_code == 200
    assert lookup.json()["id"] == first.id

    found = api.get("/api/v1/users", params={"search": f"SRCH{tag}"})
    assert found.status_code == 200
    assert [row["id"] for row in found.json()["results"]] == [second.id, first.id]

    paged = api.get("/api/v1/users", params={"search": f"srch{tag}", "page_size": 1})
    assert paged.json()["next"].startswith(api.base_url)
    assert paged.headers["Link"] == f'<{paged.json()["next"]}>; rel="next"'
    following = api.get(paged.json()["next"])
    assert [row["id"] for row in following.json()["results"]] == [first.id]


def test_password_change_revokes_earlier_refresh_tokens(api, account):
    changed = api.post(
        "/api/v1/users/me/password",
        json={"old_password": account.password, "new_password": "a different passphrase 7"},
        headers=account.auth,
    )
    assert changed.status_code == 204
    assert refresh(api, account.refresh).status_code == 401
    again = api.post(
        "/api/v1/auth/token",
        json={"email": account.email, "password": "a different passphrase 7"},
    )
    assert again.status_code == 200


def test_account_deletion_stops_its_tokens(api, stack, account):
    wrong = api.delete("/api/v1/users/me", json={"password": "not it"}, headers=account.auth)
    assert wrong.status_code == 400
    deleted = api.delete(
        "/api/v1/users/me", json={"password": account.password}, headers=account.auth
    )
    assert deleted.status_code == 204
    assert refresh(api, account.refresh).status_code == 401
    assert api.get("/api/v1/users/me", headers=account.auth).status_code == 401
    assert api.get(f"/api/v1/users/{account.id}").status_code == 404
    # The deletion is recorded for the feed service: the outbox backlog is visible on /readyz.
    ready = requests.get(f"{stack.users_url}/readyz", timeout=10).json()
    assert {"outbox_pending", "outbox_oldest_pending_seconds"} <= set(ready)
