"""The local replica of the users who act and are notified: enough to draw a user summary."""

from django.db import models


class Actor(models.Model):
    """A user of the users service as this service last heard of them.

    Kept fresh by the users service's account events (`last_sequence` is the newest applied, so
    an older state arriving late changes nothing). The feed's events carry the acting user's
    summary too, which fills in users whose account events this service never received (those
    who signed up before it was deployed); it never overwrites what an account event said.
    A deleted account stays as a row with `deleted` set, so that events about it that arrive
    after its deletion are recognised and dropped.
    """

    id = models.BigIntegerField(primary_key=True)
    username = models.CharField(max_length=150, blank=True)
    avatar_url = models.URLField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    last_sequence = models.BigIntegerField(default=0)
    deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.username} ({self.id})"
