"""Claiming a key before the view runs, and keeping or releasing it afterwards.

Settings (all optional): IDEMPOTENCY_TTL_SECONDS (86400: how long a key is kept),
IDEMPOTENCY_LOCK_TIMEOUT_SECONDS (60: after this an unfinished attempt counts as abandoned,
e.g. its worker was killed; keep it above the gunicorn timeout), IDEMPOTENCY_MAX_RESPONSE_BYTES
(1 MiB: larger responses are not kept for replay).
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from shared.idempotency.models import IdempotencyRecord

State = IdempotencyRecord.State

# Headers that describe the moment of a response, not its content: never replayed.
NOT_REPLAYED_HEADERS = frozenset(
    {
        "content-length",
        "date",
        "idempotency-replayed",
        "ratelimit",
        "ratelimit-policy",
        "retry-after",
        "set-cookie",
        "x-request-id",
    }
)
# 4xx answers that say "not now" rather than "not this request": the retry must run again.
NOT_STORED_STATUSES = frozenset({408, 425, 429})
# Roughly one claim in this many also deletes a bounded batch of expired records.
PURGE_ONE_IN = 100
PURGE_BATCH = 500


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_TTL_SECONDS", 24 * 3600))


def lock_timeout() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_LOCK_TIMEOUT_SECONDS", 60))


def max_response_bytes() -> int:
    return getattr(settings, "IDEMPOTENCY_MAX_RESPONSE_BYTES", 1024 * 1024)


@dataclass(frozen=True)
class Claimed:
    """This request owns the key: run the view, then `complete` or `release`."""

    record_id: int


@dataclass(frozen=True)
class Replay:
    """The key's request finished; `body` is None when its response was not kept."""

    status: int
    headers: list[list[str]]
    body: bytes | None


@dataclass(frozen=True)
class Mismatch:
    """The key was used for a different request (method, path or body)."""


@dataclass(frozen=True)
class InProgress:
    """The key's first request is still running."""


Outcome = Claimed | Replay | Mismatch | InProgress


def claim(*, scope: str, key: str, fingerprint: str) -> Outcome:
    """Claim `key` for `scope` or say why not; safe for any number of concurrent callers.

    The insert of an `in_progress` row is the lock: of two identical requests only one insert
    succeeds (unique scope + key), and the other sees the row.
    """
    if secrets.randbelow(PURGE_ONE_IN) == 0:
        purge_expired(limit=PURGE_BATCH)
    # A few rounds at most: a row can vanish between our failed insert and our read (its
    # request failed and released it, or it expired), and then the insert is worth retrying.
    for _ in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    state=State.IN_PROGRESS,
                    started_at=now,
                    expires_at=now + ttl(),
                )
            return Claimed(record.pk)
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            continue
        if existing.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != fingerprint:
            return Mismatch()
        if existing.state == State.COMPLETED:
            body = None if existing.response_body is None else bytes(existing.response_body)
            return Replay(existing.response_status, existing.response_headers, body)
        if existing.started_at <= now - lock_timeout():
            # Its worker died mid-request; the conditional update lets one retry take over.
            taken = IdempotencyRecord.objects.filter(
                pk=existing.pk, state=State.IN_PROGRESS, started_at=existing.started_at
            ).update(started_at=now)
            if taken:
                return Claimed(existing.pk)
        return InProgress()
    return InProgress()


def complete(record_id: int, response: HttpResponse) -> None:
    """Keep `response` for replay, or release the key when the retry should run again.

    5xx: released (the client should retry and the server may succeed then). 408, 425, 429:
    released (they mean "later", not "never"). `Cache-Control: no-store` (what a response
    carrying credentials says, RFC 6749 5.1): released, so that no token is kept in the store
    and replayed to whoever presents the key. Every other answer, 4xx included, is kept: the
    same request would get the same answer, and a kept 4xx stops a retry from running a
    request whose first attempt may already have had effects.
    """
    status = response.status_code
    if status >= 500 or status in NOT_STORED_STATUSES or carries_credentials(response):
        release(record_id)
        return
    body: bytes | None = None
    if not response.streaming and len(response.content) <= max_response_bytes():
        body = response.content
    headers = [
        [name, value]
        for name, value in response.items()
        if name.lower() not in NOT_REPLAYED_HEADERS
    ]
    IdempotencyRecord.objects.filter(pk=record_id).update(
        state=State.COMPLETED,
        response_status=status,
        response_headers=headers,
        response_body=body,
    )


def carries_credentials(response: HttpResponse) -> bool:
    """Whether `response` says it must not be stored (`Cache-Control: no-store`)."""
    directives = response.get("Cache-Control", "").lower().replace(" ", "").split(",")
    return "no-store" in directives


def release(record_id: int) -> None:
    """Forget an unfinished claim so that a retry runs the request again."""
    IdempotencyRecord.objects.filter(pk=record_id, state=State.IN_PROGRESS).delete()


def purge_expired(*, limit: int | None = None) -> int:
    """Delete expired records (at most `limit`); return how many went."""
    expired = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now())
    if limit is not None:
        expired = IdempotencyRecord.objects.filter(pk__in=expired.values("pk")[:limit])
    deleted, _ = expired.delete()
    return deleted
