"""`manage.py purge_idempotency_keys`: drop the records of keys older than their TTL."""

from typing import Any

from django.core.management.base import BaseCommand

from shared.idempotency.store import purge_expired


class Command(BaseCommand):
    help = "Delete expired Idempotency-Key records (safe to run at any time, e.g. hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        self.stdout.write(f"deleted {deleted} expired idempotency records")
