"""What discovery keeps of its own: the trending hashtags, refreshed on a schedule.

Explore's ranking needs no table: it is an index on the posts (`posts.models.EXPLORE_SCORE_SQL`).
"""

from django.db import models

from posts.models import TAG_MAX_LENGTH

TRENDING_TAGS = 20


class TrendingTag(models.Model):
    """One of the hashtags most used in the last EXPLORE_DAYS, as the last refresh counted them
    (`discovery.services.refresh_trending_tags`, a periodic job)."""

    # 1 for the most used; the primary key orders GET /explore/tags.
    rank = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(max_length=TAG_MAX_LENGTH)
    # Posts of public accounts carrying the tag, posted inside the window.
    post_count = models.IntegerField()
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"#{self.name} ({self.rank})"


class TrendingCount(models.Model):
    """When the trending tags were last counted: one row, whether any tag trended or not."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"trending tags counted at {self.counted_at}"
