"""`manage.py prune_ended_sessions`: forget ended sign-ins whose tokens have all expired."""

from typing import Any

from django.core.management.base import BaseCommand

from shared.revocation.services import prune_expired


class Command(BaseCommand):
    help = "Delete ended sessions past their expiry (safe to run at any time, e.g. hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = prune_expired()
        self.stdout.write(f"removed {removed} ended sessions past their expiry")
