"""Database ids at the edge: the `<id:...>` path converter and `IdField` for ids in bodies.

Every id is a Postgres bigint, positive (sequences and the users service's ids start at 1). An id
outside that range names nothing: in a path it is a `404` before any view runs (the URL does not
match), in a body a `400` from the serializer, so no selector or service checks ids by hand.
Importing this module registers the converter; each `urls.py` that uses `<id:...>` imports it.
"""

from django.urls import register_converter
from rest_framework import serializers

MAX_ID = 2**63 - 1


def is_db_id(value: int) -> bool:
    """Whether `value` can be a row's id: positive and within bigint."""
    return 0 < value <= MAX_ID


class DatabaseIdConverter:
    """`<id:name>`: ASCII digits naming a possible row id, passed to the view as an int."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not is_db_id(number):
            # Django's resolver takes a ValueError as "this pattern does not match": a 404.
            raise ValueError(f"{value} is not a database id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class IdField(serializers.IntegerField):
    """An id in a request body: an integer from 1 to `MAX_ID`, else a `400` on the field."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


register_converter(DatabaseIdConverter, "id")
