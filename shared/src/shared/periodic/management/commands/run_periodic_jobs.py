"""`manage.py run_periodic_jobs`: the service's upkeep (settings.PERIODIC_JOBS), forever or once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared.periodic.scheduler import periodic_jobs, run_forever, run_job
from shared.stopping import stop_on_signals


class Command(BaseCommand):
    help = "Run every job in PERIODIC_JOBS on its interval (until SIGTERM/SIGINT), or once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run every job once, then exit (a Kubernetes CronJob, cron); fails if one did.",
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        if once:
            failed = [name for name in periodic_jobs() if not run_job(name)]
            if failed:
                raise CommandError(f"failed: {', '.join(failed)}")
            self.stdout.write(f"ran {', '.join(periodic_jobs())}")
            return
        # The job in progress finishes (its transaction commits), then the loop leaves.
        run_forever(stop_on_signals())
