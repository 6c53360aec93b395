"""The account events the users service publishes (docs/events.md has their payloads).

Every event carries the account's whole replicated state, not what changed: with the
per-account sequence, a consumer that meets an older state after a newer one simply keeps the
newer one, and one that missed an event loses nothing once the next one arrives.
"""

from accounts.avatars import avatar_url
from accounts.models import User
from shared.events.outbox import record_event

ACCOUNT_CREATED = "users.account.created"
ACCOUNT_UPDATED = "users.account.updated"
ACCOUNT_DELETED = "users.account.deleted"


def account_state(user: User) -> dict[str, str | None]:
    """What other services keep of an account; compare before and after a change.

    `is_private` joins it when profiles get their privacy switch.
    """
    return {
        "username": user.username,
        "name": user.name,
        "avatar_url": avatar_url(user.avatar.name),
    }


def record_account_created(user: User) -> None:
    """Call inside the transaction that created `user`."""
    record_event(type=ACCOUNT_CREATED, aggregate_id=user.pk, payload=account_state(user))


def record_account_updated_if_changed(user: User, before: dict[str, str | None]) -> None:
    """Call inside the transaction that changed `user`, with `account_state` from before."""
    after = account_state(user)
    if after != before:
        record_event(type=ACCOUNT_UPDATED, aggregate_id=user.pk, payload=after)


def record_account_deleted(user: User) -> None:
    """Call inside the transaction that deletes `user`, before the row goes."""
    record_event(type=ACCOUNT_DELETED, aggregate_id=user.pk, payload={})
