"""Delete media uploaded through the Mastodon-compatible API that no status claimed in a day."""

from typing import Any

from django.core.management.base import BaseCommand

from mastodon_api.services import prune_pending_media


class Command(BaseCommand):
    help = "Delete unclaimed Mastodon media older than PENDING_MEDIA_MAX_AGE."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"pruned {prune_pending_media()} unclaimed media")
