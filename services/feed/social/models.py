"""The per-user counters shown by /users/{id}/stats (the follows they count live in
`relationships`)."""

from django.db import models


class UserStats(models.Model):
    """A user's stored counters, changed with F() in the transaction that changes what they count.

    A user without a row has zeros everywhere; the row is created by the first change.
    """

    user_id = models.BigIntegerField(primary_key=True)
    posts_count = models.IntegerField(default=0)
    followers_count = models.IntegerField(default=0)
    following_count = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "user stats"
        constraints = [
            # A counter below zero means a decrement without its increment: fail loudly.
            models.CheckConstraint(
                condition=models.Q(posts_count__gte=0), name="user_stats_posts_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(followers_count__gte=0),
                name="user_stats_followers_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(following_count__gte=0),
                name="user_stats_following_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Stats of {self.user_id}"
