"""Token pair, refresh rotation, logout and password change, including simplejwt's two traps."""

import jwt
import pytest
from conftest import PASSWORD, bearer
from django.conf import settings
from django.db import close_old_connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db


def obtain(client, email="ann@example.com", password=PASSWORD):
    return client.post("/api/v1/auth/token", {"email": email, "password": password}, format="json")


def refresh(client, token):
    return client.post("/api/v1/auth/token/refresh", {"refresh": token}, format="json")


def decode(token: str) -> dict:
    return jwt.decode(
        token,
        settings.SIMPLE_JWT["SIGNING_KEY"],
        algorithms=["HS256"],
        audience=settings.SIMPLE_JWT["AUDIENCE"],
        issuer=settings.SIMPLE_JWT["ISSUER"],
    )


# --- Token pair ----------------------------------------------------------------------------


def test_access_token_carries_user_id_username_issuer_and_audience(client, user):
    response = obtain(client)
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    claims = decode(response.json()["access"])
    assert claims["username"] == "ann"
    assert claims["token_type"] == "access"
    assert int(claims["user_id"]) == user.pk
    assert {"exp", "iat", "jti"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 15 * 60
    refresh_claims = decode(response.json()["refresh"])
    assert refresh_claims["exp"] - refresh_claims["iat"] == 7 * 24 * 3600


def test_email_is_matched_in_any_letter_case(client, user):
    assert obtain(client, email="ANN@example.COM").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("ann@example.com", "wrong password 42"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_credentials_are_a_401(client, user, email, password):
    response = obtain(client, email=email, password=password)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_password_is_not_trimmed(client, user):
    assert obtain(client, password=f" {PASSWORD} ").status_code == 401


def test_inactive_account_cannot_obtain_tokens(client, user):
    user.is_active = False
    user.save()
    assert obtain(client).status_code == 401


@pytest.mark.parametrize("missing", ["email", "password"])
def test_missing_field_is_a_400(client, user, missing):
    body = {"email": "ann@example.com", "password": PASSWORD}
    del body[missing]
    response = client.post("/api/v1/auth/token", body, format="json")
    assert response.status_code == 400
    assert missing in response.json()


def test_a_stale_access_token_does_not_get_in_the_way_of_logging_in(client, user):
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert obtain(client).status_code == 200


# --- Refresh -------------------------------------------------------------------------------


def test_refresh_rotates_and_the_old_refresh_token_stops_working(client, user):
    first = obtain(client).json()["refresh"]
    rotated = refresh(client, first)
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first
    assert decode(rotated.json()["access"])["username"] == "ann"

    assert refresh(client, rotated.json()["refresh"]).status_code == 200
    reused = refresh(client, first)
    assert reused.status_code == 401
    assert "detail" in reused.json()


def test_refreshed_access_token_carries_the_current_username(client, user):
    token = obtain(client).json()["refresh"]
    user.username = "ann.renamed"
    user.save()
    assert decode(refresh(client, token).json()["access"])["username"] == "ann.renamed"


@pytest.mark.parametrize(
    ("token", "expected"),
    [("garbage", 401), ("a.b.c", 401), ("", 400), ("x" * 5000, 401), ("ab\x00c", 400)],
    ids=["junk", "three-parts", "blank", "too-long", "nul"],
)
def test_malformed_refresh_token_is_rejected_as_json(client, token, expected):
    response = refresh(client, token)
    assert response.status_code == expected
    assert ("detail" if expected == 401 else "refresh") in response.json()


def test_access_token_cannot_be_used_as_a_refresh_token(client, user):
    access = obtain(client).json()["access"]
    assert refresh(client, access).status_code == 401


def test_refresh_token_signed_with_another_key_is_a_401(client, user):
    claims = decode(obtain(client).json()["refresh"])
    forged = jwt.encode(claims, "another-key-" + "k" * 40, algorithm="HS256")
    assert refresh(client, forged).status_code == 401


def resigned(token: str, **claims) -> str:
    payload = {**decode(token), **claims}
    return jwt.encode(payload, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")


def obtain_for(client, user, kind="refresh") -> str:
    response = obtain(client, email=user.email)
    assert response.status_code == 200
    return response.json()[kind]


MALFORMED_CLAIMS = [
    {"exp": 10**30},
    {"exp": 1e300},
    {"exp": float("inf")},
    {"iat": "today"},
    {"user_id": True},
    {"user_id": 1.5},
    {"user_id": " 1"},
    {"user_id": "\uff11"},
    {"user_id": "abc"},
    {"is_staff": 1},
]


@pytest.mark.parametrize("claims", MALFORMED_CLAIMS, ids=repr)
def test_a_signed_refresh_token_with_a_malformed_claim_is_a_401(client, make_user, claims):
    make_user()  # user 1: a boolean or fractional id must not reach it
    token = resigned(obtain_for(client, make_user()), **claims)

    response = refresh(client, token)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("claims", MALFORMED_CLAIMS, ids=repr)
def test_a_signed_access_token_with_a_malformed_claim_is_a_401(client, make_user, claims):
    make_user()
    access = resigned(obtain_for(client, make_user(), kind="access"), **claims)

    response = client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_refresh_after_the_account_was_deleted_is_a_401_not_a_500(client, user):
    token = obtain(client).json()["refresh"]
    user.delete()
    response = refresh(client, token)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refreshes_of_one_token_leave_exactly_one_success(make_user):
    make_user(email="ann@example.com", username="ann")
    token = obtain(APIClient()).json()["refresh"]
    attempts = 10

    def attempt(i: int) -> tuple[int, dict]:
        response = refresh(APIClient(), token)
        return response.status_code, response.json()

    results = run_concurrently(attempts, attempt)
    close_old_connections()

    assert sorted(status for status, _ in results) == [200] + [401] * (attempts - 1)
    # The losers presented a token the winner had spent: a reuse, which ends the sign-in
    # (docs/security.md: a client refreshes one request at a time).
    winner = next(body for status, body in results if status == 200)
    assert refresh(APIClient(), winner["refresh"]).status_code == 401
    assert refresh(APIClient(), token).status_code == 401


# --- Logout --------------------------------------------------------------------------------


def test_logout_blacklists_the_refresh_token(client, user):
    token = obtain(client).json()["refresh"]
    response = client.post("/api/v1/auth/logout", {"refresh": token}, format="json")
    assert response.status_code == 204
    assert refresh(client, token).status_code == 401
    assert BlacklistedToken.objects.filter(token__jti=decode(token)["jti"]).exists()


def test_logout_leaves_other_sessions_working(client, user):
    phone = obtain(client).json()["refresh"]
    laptop = obtain(client).json()["refresh"]
    client.post("/api/v1/auth/logout", {"refresh": phone}, format="json")
    assert refresh(client, laptop).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "x" * 5000, None], ids=["junk", "too-long", "used"])
def test_logout_with_an_invalid_token_is_a_401(client, user, token):
    if token is None:
        token = obtain(client).json()["refresh"]
        client.post("/api/v1/auth/logout", {"refresh": token}, format="json")
    response = client.post("/api/v1/auth/logout", {"refresh": token}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_logout_without_a_token_is_a_400(client):
    assert client.post("/api/v1/auth/logout", {}, format="json").status_code == 400


# --- Password change -----------------------------------------------------------------------


def change_password(client, user, old=PASSWORD, new="a brand new passphrase 7"):
    return client.post(
        "/api/v1/users/me/password",
        {"old_password": old, "new_password": new},
        format="json",
        **bearer(user),
    )


def test_password_change_revokes_every_refresh_token_issued_before(client, user):
    tokens = [obtain(client).json()["refresh"] for _ in range(3)]
    response = change_password(client, user)
    assert response.status_code == 204
    for token in tokens:
        assert refresh(client, token).status_code == 401
    assert obtain(client).status_code == 401
    fresh = obtain(client, password="a brand new passphrase 7")
    assert fresh.status_code == 200
    assert refresh(client, fresh.json()["refresh"]).status_code == 200


def test_password_change_with_the_wrong_old_password_is_a_400_and_changes_nothing(client, user):
    token = obtain(client).json()["refresh"]
    response = change_password(client, user, old="not my password 1")
    assert response.status_code == 400
    assert "old_password" in response.json()
    assert refresh(client, token).status_code == 200


def test_password_change_to_a_weak_password_is_a_400_on_new_password(client, user):
    response = change_password(client, user, new="12345")
    assert response.status_code == 400
    assert "new_password" in response.json()


def test_password_change_needs_an_access_token(client, user):
    response = client.post(
        "/api/v1/users/me/password",
        {"old_password": PASSWORD, "new_password": "a brand new passphrase 7"},
        format="json",
    )
    assert response.status_code == 401


def test_password_change_revokes_tokens_of_that_user_only(client, user, make_user):
    other = make_user(email="bob@example.com", username="bob")
    bobs = obtain(client, email="bob@example.com").json()["refresh"]
    change_password(client, user)
    assert refresh(client, bobs).status_code == 200
    assert OutstandingToken.objects.filter(user=other).exists()
