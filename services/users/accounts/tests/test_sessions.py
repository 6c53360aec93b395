"""Sessions (one per sign-in), the claims tokens carry, and the sign-in limit per email."""

import time
from datetime import timedelta

import pytest
import time_machine
from conftest import PASSWORD, bearer
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Session
from accounts.tests.test_tokens import decode, obtain, refresh

pytestmark = pytest.mark.django_db

SESSION_KEYS = {"id", "created_at", "last_used_at", "user_agent", "ip", "current"}


def sign_in(client, *, agent="", address="127.0.0.1", email="ann@example.com", password=PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        {"email": email, "password": password},
        format="json",
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR=address,
    )


def sessions(client, access):
    return client.get("/api/v1/users/me/sessions", HTTP_AUTHORIZATION=f"Bearer {access}")


# --- Claims --------------------------------------------------------------------------------


def test_tokens_carry_is_staff_email_verified_and_the_session(client, user):
    tokens = obtain(client).json()
    claims = decode(tokens["access"])
    assert claims["is_staff"] is False
    assert claims["email_verified"] is False
    assert claims["sid"] == decode(tokens["refresh"])["sid"]
    user.is_staff = True
    user.email_verified = True
    user.save()
    refreshed = decode(refresh(client, tokens["refresh"]).json()["access"])
    assert (refreshed["is_staff"], refreshed["email_verified"]) == (True, True)
    assert refreshed["sid"] == claims["sid"]


# --- Sessions ------------------------------------------------------------------------------


def test_each_sign_in_is_a_session_listed_newest_first_with_the_current_one_marked(client, user):
    first = sign_in(client, agent="Firefox", address="10.0.0.1").json()
    second = sign_in(client, agent="Safari", address="10.0.0.2").json()
    response = sessions(client, first["access"])
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [set(row) for row in rows] == [SESSION_KEYS, SESSION_KEYS]
    assert [(row["user_agent"], row["ip"], row["current"]) for row in rows] == [
        ("Safari", "10.0.0.2", False),
        ("Firefox", "10.0.0.1", True),
    ]
    assert rows[0]["created_at"].endswith("Z")
    assert [row["current"] for row in sessions(client, second["access"]).json()["results"]] == [
        True,
        False,
    ]


def test_a_refresh_keeps_the_session_and_moves_last_used_at(client, user):
    tokens = sign_in(client, agent="Firefox").json()
    before = Session.objects.get()
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        rotated = refresh(client, tokens["refresh"]).json()
        assert decode(rotated["refresh"])["sid"] == before.pk
    after = Session.objects.get()
    assert after.pk == before.pk
    assert after.last_used_at > before.last_used_at
    assert after.user_agent == "Firefox"


def test_revoking_a_session_ends_its_refresh_token_only(client, user):
    phone = sign_in(client, agent="phone").json()
    laptop = sign_in(client, agent="laptop").json()
    phone_id = decode(phone["access"])["sid"]
    revoked = client.delete(
        f"/api/v1/users/me/sessions/{phone_id}", HTTP_AUTHORIZATION=f"Bearer {laptop['access']}"
    )
    assert revoked.status_code == 204
    assert refresh(client, phone["refresh"]).status_code == 401
    assert refresh(client, laptop["refresh"]).status_code == 200
    listed = sessions(client, laptop["access"]).json()["results"]
    assert [row["user_agent"] for row in listed] == ["laptop"]


def test_another_users_session_is_a_404(client, user, make_user):
    other = make_user()
    other_session = decode(obtain(client, email=other.email).json()["access"])["sid"]
    response = client.delete(f"/api/v1/users/me/sessions/{other_session}", **bearer(user))
    assert response.status_code == 404
    assert client.delete("/api/v1/users/me/sessions/999999", **bearer(user)).status_code == 404
    assert client.delete(f"/api/v1/users/me/sessions/{other_session}").status_code == 401
    assert Session.objects.filter(pk=other_session).exists()


def test_sessions_need_a_token(client):
    assert client.get("/api/v1/users/me/sessions").status_code == 401


def test_logout_ends_the_session(client, user):
    tokens = sign_in(client).json()
    other = sign_in(client).json()
    assert client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}).status_code == 204
    assert list(Session.objects.values_list("pk", flat=True)) == [decode(other["access"])["sid"]]
    assert sessions(client, tokens["access"]).status_code == 401
    assert len(sessions(client, other["access"]).json()["results"]) == 1


def test_a_password_change_ends_every_session(client, user):
    tokens = [sign_in(client).json() for _ in range(3)]
    response = client.post(
        "/api/v1/users/me/password",
        {"old_password": PASSWORD, "new_password": "another sturdy passphrase 43"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {tokens[0]['access']}",
    )
    assert response.status_code == 204
    assert not Session.objects.exists()
    assert all(refresh(client, pair["refresh"]).status_code == 401 for pair in tokens)


def test_an_expired_session_is_not_listed(client, user):
    tokens = sign_in(client).json()
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        fresh = APIClient()
        fresh.force_authenticate(user=user)
        assert fresh.get("/api/v1/users/me/sessions").json()["results"] == []
    assert len(sessions(client, tokens["access"]).json()["results"]) == 1


def test_the_session_list_costs_the_same_queries_whatever_its_length(
    client, user, django_assert_max_num_queries
):
    tokens = [sign_in(client).json() for _ in range(5)]
    with django_assert_max_num_queries(3):
        assert len(sessions(client, tokens[0]["access"]).json()["results"]) == 5


# --- Sign-in limit per email ---------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW = 900
    return settings


def test_failures_from_many_addresses_lock_the_email_even_for_the_right_password(
    client, user, limit
):
    failures = [
        sign_in(client, password="wrong", address=f"10.1.0.{n}").status_code for n in range(3)
    ]
    assert failures == [401, 401, 401]
    locked = sign_in(client, address="10.1.0.99")
    assert locked.status_code == 429
    assert 890 <= int(locked["Retry-After"]) <= 900
    assert set(locked.json()) == {"detail"}
    assert sign_in(client, email="ANN@example.com").status_code == 429
    with time_machine.travel(time.time() + 901):
        assert sign_in(client).status_code == 200


def test_an_unknown_email_is_locked_the_same_way(client, limit):
    statuses = [sign_in(client, email="ghost@example.com").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_a_successful_sign_in_is_not_a_failure(client, user, limit):
    statuses = [sign_in(client).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert [sign_in(client, password="x").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_other_emails_are_not_locked(client, user, make_user, limit):
    other = make_user()
    for _ in range(4):
        sign_in(client, password="wrong")
    assert sign_in(client, email=other.email).status_code == 200


def test_wrong_password_and_unknown_email_answer_the_same(client, user):
    wrong = sign_in(client, password="wrong")
    unknown = sign_in(client, email="ghost@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_the_admin_login_is_limited_per_email_too(client, limit):
    from accounts.models import User

    User.objects.create_superuser(email="root@example.com", username="root", password=PASSWORD)
    form = {"username": "root@example.com", "password": "wrong", "next": "/admin/"}
    for _ in range(3):
        assert "Please enter the correct" in client.post("/admin/login/", form).content.decode()
    locked = client.post("/admin/login/", {**form, "password": PASSWORD})
    assert locked.status_code == 200
    assert "Too many failed sign-ins" in locked.content.decode()
    assert isinstance(locked.wsgi_request.user, AnonymousUser)
    with time_machine.travel(time.time() + 901):
        assert client.post("/admin/login/", {**form, "password": PASSWORD}).status_code == 302
