"""Who blocks whom, as the feed (which owns blocks) last told this service in its events."""

from django.db import models


class Block(models.Model):
    """The newest known state of `blocker_id`'s block of `blocked_id`.

    Kept by `feed.block.created|deleted` (`services.apply_block_event`). An unblock keeps the
    row, inactive, at its sequence: events can arrive out of order (a redelivery, a retry,
    several consumers), and a block older than the unblock must then change nothing.
    """

    blocker_id = models.BigIntegerField()
    blocked_id = models.BigIntegerField()
    active = models.BooleanField()
    # The blocker's per-aggregate sequence (the feed numbers every block event of one blocker)
    # of the newest event applied to this pair.
    sequence = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One row per pair (the upsert relies on it). Its index also serves hiding a profile
            # from the accounts it blocks: WHERE blocker_id = <profile> AND blocked_id = <viewer>.
            models.UniqueConstraint("blocker_id", "blocked_id", name="blocks_unique_pair"),
        ]
        indexes = [
            # Search: every account that blocks the viewer, WHERE blocked_id = ? AND active.
            models.Index(
                "blocked_id", "blocker_id", condition=models.Q(active=True), name="blocks_of_viewer"
            ),
        ]

    def __str__(self) -> str:
        state = "blocks" if self.active else "unblocked"
        return f"{self.blocker_id} {state} {self.blocked_id} (#{self.sequence})"
