"""The backlog is visible: `manage.py outbox_status` and the `/readyz` fields (shared.events)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from shared.events.models import OutboxEvent
from shared.events.outbox import record_event

pytestmark = pytest.mark.django_db


def add_event(*, age_seconds: float, published: bool = False) -> None:
    with transaction.atomic():
        event = record_event(type="users.account.created", aggregate_id=1, payload={})
    OutboxEvent.objects.filter(pk=event.pk).update(
        occurred_at=timezone.now() - timedelta(seconds=age_seconds),
        published_at=timezone.now() if published else None,
    )


def test_outbox_status_prints_pending_and_the_oldest_age(capsys):
    add_event(age_seconds=3600, published=True)
    add_event(age_seconds=120)
    add_event(age_seconds=5)
    call_command("outbox_status")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "pending: 2"
    assert lines[1].startswith("oldest pending age: 12")
    assert lines[1].endswith("s")


def test_outbox_status_with_nothing_pending(capsys):
    add_event(age_seconds=10, published=True)
    call_command("outbox_status")
    assert capsys.readouterr().out.splitlines() == ["pending: 0", "oldest pending age: -"]


def test_readyz_reports_the_outbox_backlog_and_the_broker(client):
    empty = client.get("/readyz")
    assert empty.status_code == 200
    assert empty.json()["outbox_pending"] == 0
    assert empty.json()["outbox_oldest_pending_seconds"] is None
    assert empty.json()["broker"] in {"ok", "unreachable"}

    add_event(age_seconds=90)
    add_event(age_seconds=30)
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["outbox_pending"] == 2
    assert 90 <= body["outbox_oldest_pending_seconds"] < 100


def test_readyz_stays_ready_while_the_broker_is_unreachable(client, settings):
    # Writes go on into the outbox without a broker: taking the service out of its load
    # balancer would turn a delay into errors. Port 9 refuses connections at once.
    settings.BROKER_URL = "amqp://guest:guest@127.0.0.1:9/"
    body = client.get("/readyz").json()
    assert (body["status"], body["broker"]) == ("ok", "unreachable")
