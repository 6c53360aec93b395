"""`manage.py send_mail`: send queued mail, forever or once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mailer.sender import Mailer
from shared.stopping import stop_on_signals


class Command(BaseCommand):
    help = "Send queued mail through the configured email backend (runs until SIGTERM/SIGINT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        mailer = Mailer()
        if once:
            self.stdout.write(f"handled {mailer.send_all_due()} message(s)")
            return
        # The pass in progress finishes (its transaction commits or rolls back), then it leaves.
        mailer.run(stop_on_signals())
