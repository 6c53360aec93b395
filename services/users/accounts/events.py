"""The account events the users service publishes (docs/events.md has their payloads).

Every event carries the account's whole replicated state, not what changed: with the
per-account sequence, a consumer that meets an older state after a newer one simply keeps the
newer one, and one that missed an event loses nothing once the next one arrives.
"""

from datetime import UTC, datetime

from accounts.avatars import avatar_url
from accounts.models import Session, User
from shared.events.outbox import record_event
from shared.revocation.conf import SESSION_ENDED, SESSIONS_ENDED

ACCOUNT_CREATED = "users.account.created"
ACCOUNT_UPDATED = "users.account.updated"
ACCOUNT_DELETED = "users.account.deleted"
# A message to send about an account; the users service consumes it itself (config/events.py),
# queueing it for the mailer. Its own aggregate, so that it takes no account sequence numbers.
MAIL_REQUESTED = "users.mail.requested"
# Ended sign-ins, for every service that verifies tokens itself (`shared.revocation`): one
# session (aggregate `users.session`), or every session of an account up to an id (aggregate
# `users.sessions`, id = the account's); neither takes account sequence numbers. The names
# live in shared.revocation.conf, beside the handlers that apply them.


def account_state(user: User) -> dict[str, str | None]:
    """What other services keep of an account; compare before and after a change."""
    return {
        "username": user.username,
        "name": user.name,
        "avatar_url": avatar_url(user.avatar.name),
        "is_private": user.is_private,
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


def record_mail_requested(
    user: User, *, kind: str, to: str, data: dict[str, str] | None = None
) -> None:
    """Call inside the transaction that makes the change the message is about.

    A rollback takes the request with it; after the commit the relay publishes it, the users
    consumer queues it (`mailer`), and the mailer sends it, retrying until the server accepts.
    `kind` is a `mailer.models.MessageKind`; no token travels: the mailer makes it as it sends.
    """
    record_event(
        type=MAIL_REQUESTED,
        aggregate_id=user.pk,
        payload={"kind": kind, "to": to, "data": data or {}},
    )


def record_session_ended(session: Session) -> None:
    """Call inside the transaction that ends `session` (its tokens are refused everywhere)."""
    record_event(
        type=SESSION_ENDED,
        aggregate_id=session.pk,
        payload={"user_id": session.user_id, "expires_at": _iso(session.expires_at)},
    )


def record_sessions_ended(*, user_id: int, through_session_id: int, expires_at: datetime) -> None:
    """Call inside the transaction that ends every session of `user_id` up to
    `through_session_id`; `expires_at` is when the last token of theirs would have expired."""
    record_event(
        type=SESSIONS_ENDED,
        aggregate_id=user_id,
        payload={"through_session_id": through_session_id, "expires_at": _iso(expires_at)},
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
