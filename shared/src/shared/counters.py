"""Stored counters checked against the rows they count: the drift of each, in one statement.

A service names each counter it stores (`Counter`: the table and column holding it, the key, and
the SELECT that recounts it from its rows); `find_drift` compares the two in one statement, so
the comparison sees one snapshot: a counter and the row that changes it are written in the same
transaction, and a check never reports a write in flight as drift. Repairs stay with the service,
which knows which rows to lock.
"""

from dataclasses import dataclass

from django.db import connection

# Enough to see what went wrong; a repair fixes every row whatever the report showed.
REPORT_LIMIT = 100


@dataclass(frozen=True)
class Counter:
    """`table.column`, one per `key`, which should equal what `recount` counts for that key.

    `recount` is a SELECT of (key, count) pairs, at most one per key; keys it leaves out count 0.
    A key recounted but missing from `table` is drift too (its stored value reads as 0).
    """

    name: str
    table: str
    key: str
    column: str
    recount: str


@dataclass(frozen=True)
class Drift:
    counter: str
    key: int
    stored: int
    actual: int


def find_drift(counter: Counter, *, limit: int = REPORT_LIMIT) -> tuple[int, list[Drift]]:
    """How many keys of `counter` are off, and the first `limit` of them (by key)."""
    statement = f"""
        SELECT coalesce(stored.{counter.key}, counted.key) AS key,
               coalesce(stored.{counter.column}, 0) AS stored,
               coalesce(counted.n, 0) AS actual,
               count(*) OVER () AS drifted
        FROM {counter.table} AS stored
        FULL JOIN ({counter.recount}) AS counted (key, n) ON counted.key = stored.{counter.key}
        WHERE coalesce(stored.{counter.column}, 0) <> coalesce(counted.n, 0)
        ORDER BY 1
        LIMIT %s
    """  # noqa: S608 - identifiers and the recount come from the services' own code
    with connection.cursor() as cursor:
        cursor.execute(statement, [limit])
        rows = cursor.fetchall()
    drifted = rows[0][3] if rows else 0
    return drifted, [Drift(counter.name, key, stored, actual) for key, stored, actual, _ in rows]
