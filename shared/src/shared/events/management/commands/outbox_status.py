"""`manage.py outbox_status`: the event backlog, for an operator's shell."""

from typing import Any

from django.core.management.base import BaseCommand

from shared.events.outbox import backlog


class Command(BaseCommand):
    help = "Print the number of events waiting for the relay and the age of the oldest."

    def handle(self, *args: Any, **options: Any) -> None:
        current = backlog()
        oldest = current.oldest_pending_seconds
        self.stdout.write(f"pending: {current.pending}")
        self.stdout.write("oldest pending age: " + ("-" if oldest is None else f"{oldest:.1f}s"))
