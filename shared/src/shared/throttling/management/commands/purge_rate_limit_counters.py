"""`manage.py purge_rate_limit_counters`: drop the counters of windows that have ended."""

from typing import Any

from django.core.management.base import BaseCommand

from shared.throttling.counters import purge_expired


class Command(BaseCommand):
    help = "Delete rate-limit counters whose window has ended (safe to run at any time)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        self.stdout.write(f"deleted {deleted} expired rate-limit counters")
