"""manage.py recount_user_stats: rebuild every user's stored counters from the rows they count."""

from typing import Any

from django.core.management.base import BaseCommand

from social.services import recount_user_stats


class Command(BaseCommand):
    help = "Recompute posts, followers and following counts for every user (after a bulk load)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = recount_user_stats()
        self.stdout.write(f"recounted the stats of {written} users")
