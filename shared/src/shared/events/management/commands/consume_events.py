"""`manage.py consume_events`: apply the events of this service's queue, forever or once."""

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared.events import broker
from shared.events.consumer import Consumer
from shared.stopping import stop_on_signals


class Command(BaseCommand):
    help = (
        "Apply the events in this service's queue with its EVENT_HANDLERS (runs until "
        "SIGTERM/SIGINT); --declare only declares the queues and bindings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--declare",
            action="store_true",
            help="Declare the exchange, this service's queues and bindings, then exit "
            "(at deploy time, so nothing published before the first consumer starts is lost).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Apply what is queued until the queue stays empty for a second, then exit.",
        )

    def handle(self, *args: Any, declare: bool = False, once: bool = False, **opts: Any) -> None:
        consumer = Consumer()
        if not consumer.handlers:
            if declare:
                # A service that consumes nothing still needs the exchange its relay uses.
                connection = broker.connect()
                try:
                    broker.declare_exchange(connection.channel())
                finally:
                    connection.close()
                return
            raise CommandError("EVENT_HANDLERS is empty: this service consumes no events.")
        if declare or once:
            try:
                consumer.channel()
                if once:
                    handled = consumer.consume(threading.Event(), until_idle=1.0)
                    self.stdout.write(f"handled {handled} message(s)")
            finally:
                consumer.close()
            return
        # The message in progress is settled and the prefetched ones handed back, then it leaves.
        consumer.run(stop_on_signals())
