"""`manage.py carry_over_http_outbox`: once after the rollout to the broker (legacy_outbox)."""

from typing import Any

from django.core.management.base import BaseCommand

from accounts.legacy_outbox import carry_over_http_outbox


class Command(BaseCommand):
    help = (
        "Carry the HTTP dispatcher's undelivered account events over to the broker's outbox "
        "(run once after the last pod of the release before the broker has stopped)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"carried over {carry_over_http_outbox()} event(s)")
