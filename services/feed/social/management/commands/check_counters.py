"""manage.py check_counters [--repair]: recount every stored counter and report (or fix) drift.

The counters: each post's `like_count` and `comment_count`, each comment's `reply_count` and
`like_count`, each tag's `post_count`, each user's `posts_count`, `followers_count` and
`following_count`. Exits 1 when any drifted and was not repaired, so a scheduler or a test can
act on it.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from posts.selectors import post_counters
from posts.services import recount_post_counters
from shared.counters import find_drift
from social.selectors import user_stats_counters
from social.services import recount_user_stats


class Command(BaseCommand):
    help = "Recount every stored counter from its rows; report drift, and fix it with --repair."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Rewrite drifted counters from their rows (writes wait while it runs).",
        )

    def handle(self, *args: Any, repair: bool = False, **options: Any) -> None:
        drifted = self.report()
        if not drifted:
            return
        if not repair:
            raise CommandError(f"{drifted} counter value(s) drifted; --repair rewrites them")
        fixed_posts = recount_post_counters()
        recount_user_stats()
        self.stdout.write(
            f"repaired: {fixed_posts} post, comment and tag row(s) rewritten, user stats rebuilt"
        )
        if self.report():
            raise CommandError("counters still drift after the repair")

    def report(self) -> int:
        total = 0
        for counter in (*post_counters(), *user_stats_counters()):
            drifted, samples = find_drift(counter)
            total += drifted
            self.stdout.write(f"{counter.name}: {drifted} drifted")
            for drift in samples:
                self.stdout.write(f"  {drift.key}: stored {drift.stored}, counted {drift.actual}")
        return total
