"""shared.prepared against real Postgres: prepared once per connection, then executed."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from shared import prepared

pytestmark = pytest.mark.django_db

SQL = "SELECT %(a)s::int + %(b)s::int, %(a)s::int * 2"


def run(sql: str = SQL, **params: int) -> tuple:
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchone()


def server_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_is_prepared_on_first_use_then_only_executed():
    with CaptureQueriesContext(connection) as first:
        assert run(a=2, b=3) == (5, 4)
    with CaptureQueriesContext(connection) as second:
        assert run(a=10, b=1) == (11, 20)

    # One round trip each time; the first carries the PREPARE.
    assert len(first) == len(second) == 1
    assert first[0]["sql"].startswith("PREPARE ")
    assert second[0]["sql"].startswith("EXECUTE ")
    assert sum("$1::int + $2::int" in s for s in server_statements()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    run(a=1, b=1)
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert run(a=4, b=4) == (8, 8)
    assert queries[0]["sql"].startswith("PREPARE ")


def test_a_failed_first_attempt_is_not_taken_as_prepared():
    failing = "SELECT 1 / %(zero)s::int"
    with pytest.raises(DatabaseError), transaction.atomic():
        run(failing, zero=0)
    # PREPARE succeeded and EXECUTE failed: the next attempt prepares under a new name.
    assert run(failing, zero=1) == (1,)
    assert run(failing, zero=1) == (1,)


def test_a_literal_percent_sign_survives_preparation():
    assert run("SELECT %(a)s::int %% 3, 'x%%'", a=7) == (1, "x%")
    assert run("SELECT %(a)s::int %% 3, 'x%%'", a=8) == (2, "x%")


def test_values_are_parameters_not_sql():
    hostile = "SELECT %(text)s::text"
    with connection.cursor() as cursor:
        prepared.execute(cursor, hostile, {"text": "x'); DROP TABLE posts_post; --"})
        assert cursor.fetchone() == ("x'); DROP TABLE posts_post; --",)


def test_switched_off_statements_are_sent_plainly(monkeypatch):
    monkeypatch.setattr(prepared, "ENABLED", False)
    with CaptureQueriesContext(connection) as queries:
        assert run(a=1, b=2) == (3, 2)
    assert queries[0]["sql"].startswith("SELECT ")
