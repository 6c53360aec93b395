"""`manage.py prune_action_states`: forget undone actions once no late event can need them."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from notifications.services import prune_undone_actions


class Command(BaseCommand):
    help = (
        "Delete the states of undone actions (unlikes, deleted comments and posts, unfollows, "
        "lifted blocks and mutes) older than ACTION_STATE_RETENTION_DAYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_undone_actions(days=settings.ACTION_STATE_RETENTION_DAYS)
        self.stdout.write(f"deleted {deleted} undone action states")
