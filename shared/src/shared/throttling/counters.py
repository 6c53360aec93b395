"""The counter behind every policy: one atomic upsert per counted request."""

import secrets
import time
import zlib
from dataclasses import dataclass

from django.db import connection
from django.db.models import F

from shared.throttling.models import RateLimitCounter

# INSERT ... ON CONFLICT is one statement, so concurrent requests from every worker and replica
# are counted exactly once each, unlike DRF's read-modify-write of a cached history list. A
# request that arrives after a window ended starts the next one at 1; GREATEST keeps a request
# that raced across the boundary from moving the window back.
_HIT_SQL = """
INSERT INTO shared_throttling_ratelimitcounter AS counter (key, window_end, count)
VALUES (%s, %s, 1)
ON CONFLICT (key) DO UPDATE SET
    count = CASE
        WHEN EXCLUDED.window_end > counter.window_end THEN 1
        ELSE counter.count + 1
    END,
    window_end = GREATEST(counter.window_end, EXCLUDED.window_end)
RETURNING count, window_end
"""


# Roughly one counted request in this many also deletes a bounded batch of ended windows, so
# the table stays small without a scheduler; `manage.py purge_rate_limit_counters` does it all.
PURGE_ONE_IN = 1000
PURGE_BATCH = 500


@dataclass(frozen=True)
class Hit:
    count: int
    window_end: int


def window_end(key: str, window: int, now: float) -> int:
    """When the window of `key` that contains `now` ends.

    Each key's windows are shifted by a stable offset derived from the key, so that callers'
    quotas do not all reset at the same second (the thundering herd the IETF draft warns of).
    """
    offset = zlib.crc32(key.encode()) % window
    return int((now - offset) // window + 1) * window + offset


def hit(key: str, window: int, *, now: float | None = None) -> Hit:
    """Count one request against `key` in its current window; return the new count."""
    now = time.time() if now is None else now
    with connection.cursor() as cursor:
        cursor.execute(_HIT_SQL, [key, window_end(key, window, now)])
        count, end = cursor.fetchone()
    if secrets.randbelow(PURGE_ONE_IN) == 0:
        purge_expired(now=now, limit=PURGE_BATCH)
    return Hit(count=count, window_end=end)


# A window that opens at the key's first hit and lasts `window` seconds from there: "N failures
# within 15 minutes" counts from the first failure, whatever the clock's phase.
_HIT_FROM_FIRST_SQL = """
INSERT INTO shared_throttling_ratelimitcounter AS counter (key, window_end, count)
VALUES (%(key)s, %(end)s, 1)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counter.window_end <= %(now)s THEN 1 ELSE counter.count + 1 END,
    window_end = CASE
        WHEN counter.window_end <= %(now)s THEN EXCLUDED.window_end
        ELSE counter.window_end
    END
RETURNING count, window_end
"""


def hit_from_first(key: str, window: int, *, now: float | None = None) -> Hit:
    """Count one event against `key` in a window that starts at the first event counted."""
    now = time.time() if now is None else now
    params = {"key": key, "end": int(now) + window, "now": int(now)}
    with connection.cursor() as cursor:
        cursor.execute(_HIT_FROM_FIRST_SQL, params)
        count, end = cursor.fetchone()
    return Hit(count=count, window_end=end)


def release(key: str, *, now: float | None = None) -> None:
    """Take back one count of `key`'s current window (an attempt that turned out to be fine)."""
    now = time.time() if now is None else now
    RateLimitCounter.objects.filter(key=key, count__gt=0, window_end__gt=int(now)).update(
        count=F("count") - 1
    )


def purge_expired(*, now: float | None = None, limit: int | None = None) -> int:
    """Delete counters whose window has ended (at most `limit`); return how many went."""
    now = time.time() if now is None else now
    ended = RateLimitCounter.objects.filter(window_end__lte=int(now))
    if limit is not None:
        ended = RateLimitCounter.objects.filter(pk__in=ended.values("pk")[:limit])
    deleted, _ = ended.delete()
    return deleted
