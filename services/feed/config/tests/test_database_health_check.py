"""shared.postgres against real Postgres: a kept connection is checked at each request without a
round trip, and one the server dropped is still replaced before the request uses it."""

import time

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection, connections

from shared.postgres.base import DatabaseWrapper

pytestmark = pytest.mark.django_db(transaction=True)


def new_request() -> None:
    """What Django does between two requests: the kept connection is due a health check."""
    request_finished.send(sender=None)
    request_started.send(sender=None)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_kept_connection_is_checked_without_a_statement(monkeypatch):
    first = backend_pid()
    pings = []
    monkeypatch.setattr(DatabaseWrapper, "is_usable", lambda self: pings.append(1) or True)
    for _ in range(3):
        new_request()
        assert backend_pid() == first
    assert pings == []


def test_a_connection_the_server_dropped_is_replaced_before_the_request_uses_it():
    dropped = backend_pid()
    # Another backend ends ours, as a restart or an idle timeout would, and waits until it has
    # gone (pg_terminate_backend only signals it).
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [dropped])
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.02)
    finally:
        other.close()
    new_request()
    # The first statement of the next request runs on a fresh connection, without an error.
    assert backend_pid() != dropped
