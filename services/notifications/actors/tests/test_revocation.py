"""Ended sign-ins (shared.revocation) here: the users service's session events, applied by this
service's consumer, refuse the tokens they name beside the deleted-account check."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from actors.models import Actor
from shared.testing import access_token, apply_event

pytestmark = pytest.mark.django_db

ANN, BOB = 20, 30


def client_with(user_id: int, sid: int | None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user_id, sid=sid)}")
    return client


def deliver(event_type: str, aggregate_id: int, payload: dict) -> None:
    assert apply_event(event_type, aggregate_id, payload) is True


def next_week() -> str:
    return (datetime.now(UTC) + timedelta(days=7)).isoformat()


def test_an_ended_session_refuses_its_tokens_only():
    deliver("users.session.ended", 5, {"user_id": ANN, "expires_at": next_week()})
    response = client_with(ANN, 5).get("/api/v1/notifications")
    assert response.status_code == 401
    assert response.json() == {"detail": "This sign-in has ended; sign in again."}
    assert client_with(ANN, 6).get("/api/v1/notifications").status_code == 200


def test_a_cutoff_refuses_the_sessions_up_to_it_and_not_later_ones():
    deliver("users.sessions.ended", ANN, {"through_session_id": 10, "expires_at": next_week()})
    for sid in (9, 10, None):
        assert client_with(ANN, sid).get("/api/v1/notifications").status_code == 401
    assert client_with(ANN, 11).get("/api/v1/notifications").status_code == 200
    assert client_with(BOB, 9).get("/api/v1/notifications").status_code == 200


def test_a_deleted_account_is_refused_in_the_same_one_statement():
    Actor.objects.create(id=ANN, username="ann", deleted=True)
    client = client_with(ANN, 6)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/notifications")
    assert response.status_code == 401
    assert response.json() == {"detail": "This account has been deleted."}
    assert len(captured) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        [check] = [row[0] for row in cursor.fetchall() if "revocation_endedsession" in row[0]]
    assert "actors_actor" in check
