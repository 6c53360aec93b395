"""Media uploaded through the Mastodon-compatible API before the status that claims it."""

from django.db import models


class PendingMedia(models.Model):
    """An image uploaded (`POST /api/v2/media`), cleaned and stored, waiting for a status.

    A status's `media_ids[]` claims it: its files become the post's images and the row goes.
    Unclaimed, the scheduled upkeep deletes it after `PENDING_MEDIA_MAX_AGE` (a day).
    """

    DESCRIPTION_MAX_LENGTH = 1500

    owner_id = models.BigIntegerField()
    file = models.CharField(max_length=300)
    thumbnail = models.CharField(max_length=300)
    extension = models.CharField(max_length=10)
    width = models.IntegerField()
    height = models.IntegerField()
    thumbnail_width = models.IntegerField()
    thumbnail_height = models.IntegerField()
    blurhash = models.CharField(max_length=100, blank=True)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="pending_media_created")]

    def __str__(self) -> str:
        return f"pending media {self.pk} of user {self.owner_id}"
