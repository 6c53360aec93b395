"""`manage.py relay_events`: publish the outbox's pending events to RabbitMQ, forever or once."""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shared.events.relay import Relay


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
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            # Finish the batch in progress (its transaction commits or rolls back), then leave.
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        relay.run(stop)
