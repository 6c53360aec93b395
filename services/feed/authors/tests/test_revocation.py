"""Ended sign-ins (shared.revocation): the users service's session events, applied by the
feed's consumer, refuse the tokens they name in the one statement the deleted-account check
already cost."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from actions.accounts import AccountEventType, apply_account_event
from authors.models import Author
from shared.events.consumer import Unprocessable
from shared.revocation.models import EndedSession, SessionCutoff
from shared.revocation.services import prune_expired
from shared.testing import access_token, apply_event

pytestmark = pytest.mark.django_db

ANN, BOB = 20, 30
SESSION_ENDED_DETAIL = {"detail": "This sign-in has ended; sign in again."}


def token_for(user_id: int, sid: int | None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user_id, sid=sid)}")
    return client


def deliver(event_type: str, aggregate_id: int, payload: dict) -> None:
    """Apply an event as the consumer does, through the handler the settings name."""
    assert apply_event(event_type, aggregate_id, payload) is True


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


WEEK = "week"


def end_session(sid: int, user_id: int = ANN, expires_at: str | None = WEEK) -> None:
    expires_at = later(days=7) if expires_at == WEEK else expires_at
    deliver("users.session.ended", sid, {"user_id": user_id, "expires_at": expires_at})


def end_sessions(user_id: int, through: int, expires_at: str | None = WEEK) -> None:
    expires_at = later(days=7) if expires_at == WEEK else expires_at
    deliver(
        "users.sessions.ended", user_id, {"through_session_id": through, "expires_at": expires_at}
    )


def test_an_ended_session_refuses_its_tokens_only(client):
    end_session(5)
    response = token_for(ANN, 5).get("/api/v1/feed")
    assert response.status_code == 401
    assert response.json() == SESSION_ENDED_DETAIL
    assert token_for(ANN, 6).get("/api/v1/feed").status_code == 200
    assert token_for(BOB, 7).get("/api/v1/feed").status_code == 200
    # Writes too: the refusal is the authentication's, before any view runs.
    assert token_for(ANN, 5).post("/api/v1/posts", {"title": "x"}, format="json").status_code == 401


def test_a_cutoff_refuses_the_sessions_up_to_it_and_tokens_without_a_session(client):
    end_sessions(ANN, through=10)
    for sid in (3, 10, None):
        assert token_for(ANN, sid).get("/api/v1/feed").status_code == 401
    # A sign-in after the password change has a higher session id.
    assert token_for(ANN, 11).get("/api/v1/feed").status_code == 200
    assert token_for(BOB, 3).get("/api/v1/feed").status_code == 200


def test_cutoffs_only_move_forward_whatever_order_they_arrive_in():
    end_sessions(ANN, through=10, expires_at=later(days=7))
    end_sessions(ANN, through=4, expires_at=later(days=1))
    cutoff = SessionCutoff.objects.get(user_id=ANN)
    assert cutoff.through_session_id == 10
    assert cutoff.expires_at > timezone.now() + timedelta(days=6)
    end_sessions(ANN, through=12, expires_at=None)
    end_sessions(ANN, through=11, expires_at=later(days=1))
    cutoff.refresh_from_db()
    assert (cutoff.through_session_id, cutoff.expires_at) == (12, None)


def test_a_repeated_session_event_changes_nothing():
    end_session(5)
    end_session(5, expires_at=later(days=1))
    assert EndedSession.objects.get().session_id == 5


def test_a_deleted_account_is_still_told_apart_from_an_ended_session(client):
    Author.objects.create(id=ANN, username="ann")
    apply_account_event(sequence=2, event_type=AccountEventType.USER_DELETED, user_id=ANN)
    end_session(5)
    assert token_for(ANN, 6).get("/api/v1/feed").json() == {
        "detail": "This account has been deleted."
    }


def test_an_authenticated_request_still_costs_one_statement_for_its_caller():
    Author.objects.create(id=ANN, username="ann")
    end_session(5)
    end_sessions(BOB, through=3)
    client = token_for(ANN, 6)
    assert client.get("/api/v1/posts/999999").status_code == 404
    with CaptureQueriesContext(connection) as anonymous:
        assert APIClient().get("/api/v1/posts/999999").status_code == 404
    with CaptureQueriesContext(connection) as authenticated:
        assert client.get("/api/v1/posts/999999").status_code == 404
    # One statement more than an anonymous request: the prepared check, all of it.
    assert len(authenticated) == len(anonymous) + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        [check] = [row[0] for row in cursor.fetchall() if "revocation_endedsession" in row[0]]
    assert "authors_author" in check
    assert "shared_revocation_sessioncutoff" in check


@pytest.mark.parametrize(
    ("event_type", "payload"),
    [
        ("users.session.ended", {"expires_at": None}),
        ("users.session.ended", {"user_id": True, "expires_at": None}),
        ("users.session.ended", {"user_id": 7, "expires_at": "next week"}),
        ("users.session.ended", {"user_id": 7, "expires_at": "2026-01-01T00:00:00"}),
        ("users.sessions.ended", {"through_session_id": -1, "expires_at": None}),
        ("users.sessions.ended", {"through_session_id": "9", "expires_at": None}),
    ],
)
def test_a_malformed_payload_is_unprocessable(event_type, payload):
    with pytest.raises(Unprocessable):
        deliver(event_type, 5, payload)


def test_rows_are_forgotten_once_every_token_of_theirs_has_expired():
    end_session(5, expires_at=later(minutes=15))
    end_session(6, expires_at=None)
    end_sessions(ANN, through=4, expires_at=later(minutes=15))
    assert prune_expired() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=17)):
        assert prune_expired() == 2
    assert list(EndedSession.objects.values_list("session_id", flat=True)) == [6]
    assert not SessionCutoff.objects.exists()
