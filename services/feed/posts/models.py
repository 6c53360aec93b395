"""Posts and what hangs off them."""

from django.db import models


class Post(models.Model):
    # The author is a user of the users service, known here only by id.
    author_id = models.BigIntegerField()
    title = models.CharField(max_length=1000, blank=True)
    body = models.TextField(max_length=2200, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # A user's posts and the timeline's per-author merge, newest first.
            models.Index(
                "author_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="posts_author_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"
