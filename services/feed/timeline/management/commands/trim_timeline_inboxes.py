"""manage.py trim_timeline_inboxes: delete the inbox entries that left the window."""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import Error, connection

from timeline.services import trim_inboxes

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Delete timeline inbox entries older than TIMELINE_INBOX_DAYS (plus a day's margin)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="keep running, trimming every SECONDS (for a process manager); default: once",
        )

    def handle(self, *args: Any, every: float | None = None, **options: Any) -> None:
        while True:
            try:
                removed = trim_inboxes()
            except Error:
                # A repeating trimmer outlives a database restart; a one-off run reports it.
                if every is None:
                    raise
                logger.exception("trimming the timeline inboxes failed; retrying later")
                connection.close()
            else:
                self.stdout.write(f"removed {removed} timeline inbox entries")
            if every is None:
                return
            time.sleep(every)
