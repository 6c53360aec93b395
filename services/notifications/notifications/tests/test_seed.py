"""The benchmark's seeded history is one the service can read: fixed-query pages for everyone."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_seed_refuses_without_yes():
    with pytest.raises(CommandError, match="--yes"):
        call_command("seed_notifications")


def test_the_seed_gives_tens_per_user_and_a_long_tail_and_reads_answer(client_for):
    call_command(
        "seed_notifications", "--yes", "--users", "30", "--per-user", "10", "--popular", "2"
    )
    assert not Notification.objects.filter(recipient_id=F("actor_id")).exists()
    popular = Notification.objects.filter(recipient_id=1).count()
    typical = Notification.objects.filter(recipient_id=20).count()
    assert popular > 5 * typical > 0
    client = client_for(1)
    assert len(client.get("/api/v1/notifications").json()["results"]) == 20
    assert client.get("/api/v1/notifications", {"grouped": "true"}).status_code == 200
    assert client.get("/api/v1/notifications/unread_count").json()["count"] > 0
