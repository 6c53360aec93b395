"""The feed's local replica of the users it renders: just enough to draw `author: {...}`."""

from django.db import models


class Author(models.Model):
    """A user of the users service as the feed last heard of them.

    Filled from JWT claims when a user writes (`services.remember_author_from_token`), from the
    users service's internal API for users the feed has not met (`selectors`), and kept current
    by the users service's events (`last_event_id` makes applying them idempotent).
    """

    # The users service's id, not a local sequence: the replica never invents users.
    id = models.BigIntegerField(primary_key=True)
    username = models.CharField(max_length=150)
    # NULL is "no avatar", as the contract's user summary says it (`avatar_url: null`).
    avatar_url = models.URLField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    updated_at = models.DateTimeField(auto_now=True)
    # The id of the last users-service event applied to this row; older or repeated events
    # are skipped.
    last_event_id = models.BigIntegerField(null=True, blank=True)
    # Set when the account is deleted: the row stays so that late events and tokens can be
    # recognised as belonging to a gone user.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # When the users service last said it had no such user (`services.remember_missing_users`):
    # tokens of this id issued before then were never the users service's. Cleared once the id
    # turns out to exist (an event, a look-up, a token issued later).
    missing_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username} ({self.id})"
