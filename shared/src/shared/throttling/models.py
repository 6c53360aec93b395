"""One fixed-window counter per (policy, caller)."""

from django.db import models


class RateLimitCounter(models.Model):
    """Requests counted in the caller's current window of one policy.

    One row per `<scope>:<caller>`, updated in place by a single atomic upsert
    (`shared.throttling.counters.hit`), so every worker and replica shares one count.
    """

    key = models.CharField(max_length=200, primary_key=True)
    # Unix time (seconds) at which the current window ends and `count` starts again from zero.
    window_end = models.BigIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # purge_rate_limit_counters: delete the windows that have ended.
            models.Index(fields=["window_end"], name="ratelimit_window_end"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_end}"
