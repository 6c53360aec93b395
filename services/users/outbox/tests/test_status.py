"""The backlog is visible: `manage.py outbox_status` and the `/readyz` fields."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from outbox.models import Event, EventType
from outbox.services import record_event

pytestmark = pytest.mark.django_db


def add_event(*, age_seconds: float, delivered: bool = False, attempts: int = 0) -> None:
    with transaction.atomic():
        event = record_event(type=EventType.USER_CREATED, user_id=1, data={})
    Event.objects.filter(pk=event.pk).update(
        occurred_at=timezone.now() - timedelta(seconds=age_seconds),
        delivered_at=timezone.now() if delivered else None,
        attempts=attempts,
    )


def test_outbox_status_prints_pending_failing_and_the_oldest_age(capsys):
    add_event(age_seconds=3600, delivered=True)
    add_event(age_seconds=120, attempts=3)
    add_event(age_seconds=5)
    call_command("outbox_status")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "pending: 2"
    assert lines[1] == "failing: 1"
    assert lines[2].startswith("oldest pending age: 12")
    assert lines[2].endswith("s")


def test_outbox_status_with_nothing_pending(capsys):
    add_event(age_seconds=10, delivered=True)
    call_command("outbox_status")
    assert capsys.readouterr().out.splitlines() == [
        "pending: 0",
        "failing: 0",
        "oldest pending age: -",
    ]


def test_readyz_reports_the_outbox_backlog(client):
    empty = client.get("/readyz")
    assert empty.status_code == 200
    assert empty.json()["outbox_pending"] == 0
    assert empty.json()["outbox_oldest_pending_seconds"] is None

    add_event(age_seconds=90)
    add_event(age_seconds=30)
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["outbox_pending"] == 2
    assert 90 <= body["outbox_oldest_pending_seconds"] < 100


def test_healthz_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}
