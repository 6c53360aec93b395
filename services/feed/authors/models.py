"""The feed's local replica of the users it renders: just enough to draw `author: {...}`."""

from django.db import models


class Author(models.Model):
    """A user of the users service as the feed last heard of them.

    Filled from JWT claims when a user writes (`services.remember_author_from_token`), from the
    users service's internal API for users the feed has not met (`selectors`), and kept current
    by the users service's account events (`last_event_sequence` makes applying them
    idempotent and lets an older state arriving late be ignored).
    """

    # The users service's id, not a local sequence: the replica never invents users.
    id = models.BigIntegerField(primary_key=True)
    username = models.CharField(max_length=150)
    # The profile's display name, from the account events (look-ups and tokens do not carry it).
    name = models.CharField(max_length=150, blank=True, db_default="")
    # NULL is "no avatar", as the contract's user summary says it (`avatar_url: null`).
    avatar_url = models.URLField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    updated_at = models.DateTimeField(auto_now=True)
    # The per-account sequence of the last account event applied to this row; older or repeated
    # events are skipped.
    last_event_sequence = models.BigIntegerField(null=True, blank=True)
    # The HTTP dispatcher's event id, which the release before the broker read and wrote: kept
    # while pods of that release may still run (expand), dropped by a later release (contract).
    last_event_id = models.BigIntegerField(null=True, blank=True)
    # The profile's privacy switch, from the same events: a private account's content is seen
    # only by itself and its accepted followers (`relationships.visibility`).
    is_private = models.BooleanField(default=False, db_default=False)
    # Set when the account is deleted: the row stays so that late events and tokens can be
    # recognised as belonging to a gone user.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # When the users service last said it had no such user (`services.remember_missing_users`):
    # tokens of this id issued before then were never the users service's. Cleared once the id
    # turns out to exist (an event, a look-up, a token issued later).
    missing_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username} ({self.id})"
