"""manage.py fill_timeline_inboxes: copy every post of the window into the inboxes it belongs in."""

from typing import Any

from django.core.management.base import BaseCommand

from timeline.services import fill_inboxes


class Command(BaseCommand):
    help = (
        "Fill the timeline inboxes with every post of the window and mark them complete: after "
        "deploying them onto existing data (once no old worker serves), or after raising "
        "TIMELINE_INBOX_DAYS. Safe beside live traffic; idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        added = fill_inboxes()
        self.stdout.write(f"added {added} timeline inbox entries")
