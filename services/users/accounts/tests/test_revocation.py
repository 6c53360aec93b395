"""Ended sign-ins: a reused refresh token ends its session, and every way a sign-in ends
refuses its access tokens here at once and tells the other services (`users.session.ended`,
`users.sessions.ended`)."""

from datetime import datetime

import pytest
from conftest import PASSWORD, link_query, send_queued_mail

from accounts.models import Session
from accounts.tests.test_tokens import decode, obtain, refresh
from shared.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another sturdy passphrase 43"


def me(client, access):
    return client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {access}")


def logout(client, token):
    return client.post("/api/v1/auth/logout", {"refresh": token}, format="json")


def session_events() -> list[tuple[str, int, dict]]:
    rows = OutboxEvent.objects.filter(type__in=["users.session.ended", "users.sessions.ended"])
    return [(row.type, row.aggregate_id, row.payload) for row in rows.order_by("id")]


def assert_ended_here(client, access):
    response = me(client, access)
    assert response.status_code == 401
    assert response.json()["detail"] == "This sign-in has ended; sign in again."


# --- A refresh token presented again -------------------------------------------------------


def test_a_rotated_refresh_token_presented_again_ends_the_whole_sign_in(client, user):
    stolen = obtain(client).json()
    other = obtain(client).json()
    # The legitimate client rotates twice; the thief then presents the copy it took.
    first = refresh(client, stolen["refresh"]).json()
    second = refresh(client, first["refresh"]).json()
    reused = refresh(client, stolen["refresh"])
    assert reused.status_code == 401
    assert "used already" in reused.json()["detail"]
    # The chain that grew from it is over: its newest refresh token and every access token.
    assert refresh(client, second["refresh"]).status_code == 401
    for access in (stolen["access"], first["access"], second["access"]):
        assert_ended_here(client, access)
    sid = decode(stolen["access"])["sid"]
    assert not Session.objects.filter(pk=sid).exists()
    assert me(client, other["access"]).status_code == 200
    assert refresh(client, other["refresh"]).status_code == 200
    [(kind, aggregate_id, payload)] = session_events()
    assert (kind, aggregate_id, payload["user_id"]) == ("users.session.ended", sid, user.pk)
    assert datetime.fromisoformat(payload["expires_at"]).timestamp() == pytest.approx(
        decode(second["refresh"])["exp"], abs=1
    )


def test_logging_out_with_a_rotated_token_ends_the_sign_in_too(client, user):
    tokens = obtain(client).json()
    rotated = refresh(client, tokens["refresh"]).json()
    assert logout(client, tokens["refresh"]).status_code == 401
    assert refresh(client, rotated["refresh"]).status_code == 401
    assert_ended_here(client, rotated["access"])
    assert [kind for kind, _, _ in session_events()] == ["users.session.ended"]


def test_logging_out_of_a_sign_in_that_a_reuse_ended_succeeds(client, user):
    tokens = obtain(client).json()
    rotated = refresh(client, tokens["refresh"]).json()
    assert refresh(client, tokens["refresh"]).status_code == 401
    # The client that holds the newest token logs out: nothing is left to end, and it is done.
    assert logout(client, rotated["refresh"]).status_code == 204
    assert logout(client, rotated["refresh"]).status_code == 401
    assert len(session_events()) == 1


def test_a_token_of_a_sign_in_that_ended_already_ends_nothing_more(client, user):
    tokens = obtain(client).json()
    rotated = refresh(client, tokens["refresh"]).json()
    assert logout(client, rotated["refresh"]).status_code == 204
    assert refresh(client, tokens["refresh"]).status_code == 401
    assert logout(client, rotated["refresh"]).status_code == 401
    assert len(session_events()) == 1


# --- Every way a sign-in ends --------------------------------------------------------------


def test_logout_refuses_the_sign_ins_access_tokens_at_once_and_tells_the_others(client, user):
    tokens = obtain(client).json()
    other = obtain(client).json()
    assert me(client, tokens["access"]).status_code == 200
    assert logout(client, tokens["refresh"]).status_code == 204
    assert_ended_here(client, tokens["access"])
    assert me(client, other["access"]).status_code == 200
    sid = decode(tokens["access"])["sid"]
    assert [(kind, aggregate_id) for kind, aggregate_id, _ in session_events()] == [
        ("users.session.ended", sid)
    ]


def test_revoking_a_session_refuses_its_access_tokens_and_tells_the_others(client, user):
    phone = obtain(client).json()
    laptop = obtain(client).json()
    phone_sid = decode(phone["access"])["sid"]
    response = client.delete(
        f"/api/v1/users/me/sessions/{phone_sid}", HTTP_AUTHORIZATION=f"Bearer {laptop['access']}"
    )
    assert response.status_code == 204
    assert_ended_here(client, phone["access"])
    assert me(client, laptop["access"]).status_code == 200
    [(kind, aggregate_id, payload)] = session_events()
    assert (kind, aggregate_id, payload["user_id"]) == ("users.session.ended", phone_sid, user.pk)


def test_a_refused_revocation_records_nothing(client, user, make_user):
    other = obtain(client, email=make_user().email).json()
    mine = obtain(client).json()
    response = client.delete(
        f"/api/v1/users/me/sessions/{decode(other['access'])['sid']}",
        HTTP_AUTHORIZATION=f"Bearer {mine['access']}",
    )
    assert response.status_code == 404
    assert session_events() == []


def change_password(client, access):
    return client.post(
        "/api/v1/users/me/password",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
    )


def test_a_password_change_refuses_every_sign_ins_access_tokens_but_not_later_ones(client, user):
    pairs = [obtain(client).json() for _ in range(3)]
    assert change_password(client, pairs[0]["access"]).status_code == 204
    for pair in pairs:
        assert_ended_here(client, pair["access"])
    fresh = obtain(client, password=NEW_PASSWORD).json()
    assert me(client, fresh["access"]).status_code == 200
    [(kind, aggregate_id, payload)] = session_events()
    assert (kind, aggregate_id) == ("users.sessions.ended", user.pk)
    sids = [decode(pair["access"])["sid"] for pair in pairs]
    assert payload["through_session_id"] == max(sids)
    assert decode(fresh["access"])["sid"] > payload["through_session_id"]
    latest_end = max(decode(pair["refresh"])["exp"] for pair in pairs)
    assert datetime.fromisoformat(payload["expires_at"]).timestamp() >= latest_end - 1


def test_a_refused_password_change_records_nothing(client, user):
    access = obtain(client).json()["access"]
    response = client.post(
        "/api/v1/users/me/password",
        {"old_password": "wrong", "new_password": NEW_PASSWORD},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
    )
    assert response.status_code == 400
    assert me(client, access).status_code == 200
    assert session_events() == []


def test_a_password_reset_refuses_every_sign_ins_access_tokens(client, user):
    pairs = [obtain(client).json() for _ in range(2)]
    client.post("/api/v1/auth/password/reset", {"email": user.email}, format="json")
    [message] = send_queued_mail()
    link = link_query(message)
    confirmed = client.post(
        "/api/v1/auth/password/reset/confirm",
        {"uid": link["uid"], "token": link["token"], "new_password": NEW_PASSWORD},
        format="json",
    )
    assert confirmed.status_code == 204
    for pair in pairs:
        assert_ended_here(client, pair["access"])
    [(kind, aggregate_id, payload)] = session_events()
    assert (kind, aggregate_id) == ("users.sessions.ended", user.pk)
    assert payload["through_session_id"] == max(decode(pair["access"])["sid"] for pair in pairs)
