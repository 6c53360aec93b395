"""The refusal check asked once per token (shared.revocation.accepted), against real Postgres:
committed refusals notify, and the next request of that user is asked again and refused."""

import time
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from authors.authentication import FeedJWTAuthentication
from authors.models import Author
from shared import prepared
from shared.revocation.accepted import ACCEPTED, CHANNEL
from shared.revocation.services import end_session

pytestmark = pytest.mark.django_db(transaction=True)

ANN, BOB = 20, 30


@pytest.fixture(autouse=True)
def cache(settings) -> Iterator[None]:
    settings.TOKEN_CHECK_CACHE = True
    yield
    ACCEPTED.stop()


def client_for(user_id: int, sid: int) -> APIClient:
    token = AccessToken()
    token["user_id"] = str(user_id)
    token["username"] = f"user{user_id}"
    token["sid"] = sid
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def eventually(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def checks(client: APIClient) -> int:
    """How many refusal checks one request sent."""
    refusal = prepared.name_prefix(FeedJWTAuthentication._sql)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/feed").status_code == 200
    return sum(refusal in query["sql"] for query in captured.captured_queries)


def listening() -> bool:
    client_for(BOB, 1).get("/api/v1/feed")  # the first request starts the listener
    return ACCEPTED.listening()


def test_a_token_is_checked_once_until_a_refusal_names_its_user():
    assert eventually(listening)
    ann, bob = client_for(ANN, 5), client_for(BOB, 7)
    assert checks(ann) == 1
    assert checks(ann) == 0
    assert checks(bob) == 1
    assert checks(bob) == 0

    # Ann's session ends (committed): the notification makes her next request ask again.
    end_session(session_id=5, user_id=ANN, expires_at=None)
    assert eventually(lambda: ann.get("/api/v1/feed").status_code == 401)
    # Bob's token was not concerned.
    assert checks(bob) == 0


def test_a_deleted_account_is_refused_at_its_next_request():
    Author.objects.create(id=ANN, username="ann")
    assert eventually(listening)
    ann = client_for(ANN, 5)
    assert checks(ann) == 1
    assert checks(ann) == 0
    Author.objects.filter(id=ANN).update(deleted_at=timezone.now())
    assert eventually(lambda: ann.get("/api/v1/feed").status_code == 401)


def test_without_its_listener_every_request_is_checked():
    assert eventually(listening)
    ann = client_for(ANN, 5)
    assert checks(ann) == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND query IN (%s, 'SELECT 1')",
            [f"LISTEN {CHANNEL}"],
        )
    assert eventually(lambda: not ACCEPTED.listening(), seconds=15)
    assert checks(ann) == 1
    # It listens again (and, having maybe missed a refusal meanwhile, starts from nothing).
    assert eventually(ACCEPTED.listening)
    assert checks(ann) == 1
    assert checks(ann) == 0


def test_off_every_request_is_checked(settings):
    settings.TOKEN_CHECK_CACHE = False
    ann = client_for(ANN, 5)
    assert [checks(ann) for _ in range(3)] == [1, 1, 1]
