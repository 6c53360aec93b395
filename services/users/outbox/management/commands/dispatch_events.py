"""`manage.py dispatch_events`: deliver outbox events to the feed service, forever or once."""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from outbox.dispatcher import Dispatcher


class Command(BaseCommand):
    help = "Deliver pending account events to the feed service (runs until SIGTERM/SIGINT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Deliver what is due now, then exit (for tests and cron-style runs).",
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        dispatcher = Dispatcher()
        if once:
            delivered = dispatcher.deliver_all_due()
            self.stdout.write(f"delivered {delivered} event(s)")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            # Finish the pass in progress (its transaction commits or rolls back), then leave.
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        dispatcher.run(stop)
