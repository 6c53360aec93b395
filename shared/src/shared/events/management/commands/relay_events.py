"""`manage.py relay_events`: publish the outbox's pending events to RabbitMQ, forever or once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shared.events.relay import Relay
from shared.stopping import stop_on_signals


class Command(BaseCommand):
    help = "Publish pending outbox events to the broker (runs until SIGTERM/SIGINT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Publish what is pending now, then exit."
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        relay = Relay()
        if once:
            try:
                published = relay.relay_all()
            finally:
                relay.close()
            self.stdout.write(f"published {published} event(s)")
            return
        # The batch in progress finishes (its transaction commits or rolls back), then it leaves.
        relay.run(stop_on_signals())
