"""Database mechanism both services use: telling Postgres's integrity errors apart, and
`get_or_create` for on/off rows that the same user may be switching off at the same moment."""

from typing import TypeVar

from django.db import IntegrityError
from django.db.models import Manager, Model, QuerySet
from psycopg2 import errorcodes

# A toggle racing its own undo loses at most once per competing undo: a few attempts are plenty,
# and a bound keeps a pathological loop visible as an error rather than a hang.
TOGGLE_ATTEMPTS = 5

M = TypeVar("M", bound=Model)


def violates(error: IntegrityError, pgcode: str) -> bool:
    """Whether `error` is Postgres's `pgcode` (e.g. `errorcodes.FOREIGN_KEY_VIOLATION`)."""
    return getattr(error.__cause__, "pgcode", None) == pgcode


def get_or_create_toggle(rows: Manager[M] | QuerySet[M], **fields: object) -> tuple[M, bool]:
    """`rows.get_or_create(**fields)` that survives the row it collided with being deleted.

    `get_or_create` inserts in a savepoint and, on the unique constraint's IntegrityError, reads
    the row that won; when a concurrent delete (an unlike racing a like by the same user) removed
    that row before the read, Django re-raises the IntegrityError. The row is then simply not
    there, so the insert is tried again. Any other integrity error (a parent row deleted
    meanwhile) is re-raised for the caller to name.
    """
    attempt = 1
    while True:
        try:
            return rows.get_or_create(**fields)
        except IntegrityError as error:
            if attempt >= TOGGLE_ATTEMPTS or not violates(error, errorcodes.UNIQUE_VIOLATION):
                raise
            attempt += 1
