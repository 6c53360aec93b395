"""Writes to relationships that need no other app, and the pair lock every write across two
users takes.

What a follow, a request's answer or a block also changes elsewhere (counters, inboxes) is done
by `actions`, inside the transactions these run in.
"""

import hashlib

from django.db import connection


def lock_pair(first_id: int, second_id: int) -> None:
    """Hold a lock on the unordered pair of users until the transaction ends.

    Every write that depends on how two users stand (a follow, a follow request and its answer,
    a block and its removal, a like or comment on the other's content) takes it first, then
    reads what it checks: a block committed meanwhile is seen, and nothing it forbids commits
    after it. A transaction-level advisory lock, keyed by a hash of the pair (a collision only
    makes two unrelated pairs wait for each other).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_pair must run inside the transaction it serialises.")
    low, high = sorted((int(first_id), int(second_id)))
    digest = hashlib.blake2b(f"pair:{low}:{high}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )
