"""The HTTP dispatcher's undelivered events are carried over to the broker's outbox, once."""

import pytest
from django.core.management import call_command
from django.db import connection

from shared.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def legacy_table():
    """The previous release's `outbox_event`, as its migration made it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TABLE outbox_event (
                id bigserial PRIMARY KEY, type varchar(32) NOT NULL, user_id bigint NOT NULL,
                data jsonb NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now(),
                delivered_at timestamptz NULL, attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(), last_error text NOT NULL
                DEFAULT ''
            )
            """
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE outbox_event")


def legacy(type_: str, user_id: int, data: str, delivered: bool = False) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outbox_event (type, user_id, data, delivered_at) "
            "VALUES (%s, %s, %s, CASE WHEN %s THEN now() END)",
            [type_, user_id, data, delivered],
        )


def test_undelivered_events_become_broker_events_once(legacy_table, user, capsys):
    legacy("user.created", user.pk, '{"username": "ann", "avatar_url": null}', delivered=True)
    legacy("user.updated", user.pk, '{"username": "ann2", "avatar_url": null}')
    legacy("user.deleted", 999, "{}")

    call_command("carry_over_http_outbox")
    call_command("carry_over_http_outbox")

    assert capsys.readouterr().out.splitlines() == [
        "carried over 2 event(s)",
        "carried over 0 event(s)",
    ]
    rows = OutboxEvent.objects.exclude(type="users.account.created").order_by("id")
    assert [(r.type, r.aggregate_id, r.payload) for r in rows] == [
        (
            "users.account.updated",
            user.pk,
            {"username": "ann2", "name": "Ann Bell", "avatar_url": None},
        ),
        ("users.account.deleted", 999, {}),
    ]
    # After the account's own sign-up event: the next sequence number.
    assert rows[0].sequence == 2


def test_without_the_legacy_table_there_is_nothing_to_carry(capsys):
    call_command("carry_over_http_outbox")
    assert capsys.readouterr().out.strip() == "carried over 0 event(s)"
