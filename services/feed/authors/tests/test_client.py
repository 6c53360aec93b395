"""The users-service client against a local HTTP server on 127.0.0.1 standing in for it."""

import time

import pytest

from authors import client
from authors.client import UsersServiceUnavailable
from shared.errors import ServiceUnavailable


def test_get_user_returns_the_users_summary_and_sends_the_internal_token(users_service, settings):
    users_service.add(5, "alice", "http://cdn.example/a.png")

    assert client.get_user(5) == {
        "id": 5,
        "username": "alice",
        "avatar_url": "http://cdn.example/a.png",
    }
    assert users_service.requests == [("/internal/v1/users/5", settings.INTERNAL_API_TOKEN)]


def test_a_lookup_carries_the_request_id_of_the_request_it_serves(users_service):
    from log_request_id import local

    users_service.add(5, "alice")
    local.request_id = "trace-0123456789"
    try:
        client.get_user(5)
    finally:
        del local.request_id
    client.get_user(5)
    # Outside a request (a management command) there is no id to pass on.
    assert users_service.request_ids == ["trace-0123456789", None]


def test_get_user_returns_none_for_an_unknown_user(users_service):
    assert client.get_user(404) is None


def test_get_users_returns_known_users_and_omits_unknown_ones(users_service):
    users_service.add(1, "one")
    users_service.add(3, "three")

    found = client.get_users([1, 2, 3])

    assert found == {
        1: {"id": 1, "username": "one", "avatar_url": None},
        3: {"id": 3, "username": "three", "avatar_url": None},
    }
    assert [path for path, _ in users_service.requests] == ["/internal/v1/users?ids=1%2C2%2C3"]


def test_get_users_asks_for_at_most_100_ids_per_call(users_service):
    for user_id in range(1, 251):
        users_service.add(user_id, f"u{user_id}")

    found = client.get_users(range(1, 251))

    assert len(found) == 250
    assert len(users_service.requests) == 3


def test_get_users_with_no_ids_makes_no_call(users_service):
    assert client.get_users([]) == {}
    assert users_service.requests == []


def test_an_unreachable_users_service_is_a_503(users_service_down):
    with pytest.raises(ServiceUnavailable) as raised:
        client.get_user(1)
    assert raised.value.status_code == 503
    assert str(raised.value.detail) == "users service unreachable"
    with pytest.raises(UsersServiceUnavailable):
        client.get_users([1])


def test_a_users_service_that_does_not_answer_in_time_is_a_503(users_service, settings):
    settings.USERS_SERVICE_TIMEOUT_SECONDS = 0.2
    users_service.hang = True

    started = time.monotonic()
    with pytest.raises(UsersServiceUnavailable):
        client.get_user(1)
    # A read timeout is not retried: the caller waits one timeout, not three.
    assert time.monotonic() - started < 1.0
    assert len(users_service.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_failing_users_service_is_a_503(users_service, status):
    users_service.status = status
    with pytest.raises(UsersServiceUnavailable):
        client.get_user(1)


def test_gateway_errors_are_retried_twice_then_given_up(users_service):
    users_service.status = 503
    with pytest.raises(UsersServiceUnavailable):
        client.get_users([1])
    assert len(users_service.requests) == 3


def test_a_refused_internal_token_is_a_503_not_a_missing_user(users_service, settings):
    settings.INTERNAL_API_TOKEN = "not-the-token-the-users-service-expects-" + "x" * 10
    users_service.add(1, "one")
    with pytest.raises(UsersServiceUnavailable):
        client.get_user(1)


def test_a_malformed_answer_is_a_503(users_service):
    users_service.users[1] = {"id": "1", "username": 7}
    with pytest.raises(UsersServiceUnavailable):
        client.get_user(1)
    with pytest.raises(UsersServiceUnavailable):
        client.get_users([1])


def test_the_client_reuses_one_session_for_every_call():
    assert isinstance(client.session, client.requests.Session)
    assert client.session.get_adapter("http://users").max_retries.total == 2
