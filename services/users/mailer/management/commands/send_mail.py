"""`manage.py send_mail`: send queued mail, forever or once."""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mailer.sender import Mailer


class Command(BaseCommand):
    help = "Send queued mail through the configured email backend (runs until SIGTERM/SIGINT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        mailer = Mailer()
        if once:
            self.stdout.write(f"handled {mailer.send_all_due()} message(s)")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            # Finish the pass in progress (its transaction commits or rolls back), then leave.
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        mailer.run(stop)
