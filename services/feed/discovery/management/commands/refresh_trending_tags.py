"""manage.py refresh_trending_tags: recount the hashtags GET /explore/tags lists (a periodic
job, PERIODIC_JOBS)."""

from typing import Any

from django.core.management.base import BaseCommand

from discovery.services import refresh_trending_tags


class Command(BaseCommand):
    help = "Recount the most used hashtags of the last EXPLORE_DAYS for GET /explore/tags."

    def handle(self, *args: Any, **options: Any) -> None:
        kept = refresh_trending_tags()
        self.stdout.write(f"kept {kept} trending tags")
