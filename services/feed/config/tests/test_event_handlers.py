"""config.events: what the feed's consumer hands each account event to, and what it refuses.

Called directly with the events the consumer decodes (the consumer itself, over a real broker,
is config/tests/test_events.py).
"""

import uuid
from datetime import UTC, datetime

import pytest

from authors.models import Author
from config.events import apply_account
from shared.events.consumer import Unprocessable
from shared.events.message import Event

pytestmark = pytest.mark.django_db

ANN = 20


def event(kind: str, sequence: int, **payload: object) -> Event:
    return Event(
        id=uuid.uuid4(),
        type=f"users.account.{kind}",
        aggregate_id=ANN,
        sequence=sequence,
        occurred_at=datetime.now(tz=UTC),
        producer="users",
        request_id="",
        payload=payload,
    )


def test_created_and_updated_set_username_name_and_avatar():
    apply_account(event("created", 1, username="ann", name="Ann", avatar_url=None))
    apply_account(event("updated", 2, username="ann2", name="Ann B", avatar_url="http://x/a.png"))
    author = Author.objects.get(pk=ANN)
    assert (author.username, author.name, author.avatar_url) == ("ann2", "Ann B", "http://x/a.png")
    assert author.last_event_sequence == 2


def test_the_privacy_switch_follows_the_events_and_is_kept_when_a_payload_lacks_it():
    apply_account(event("created", 1, username="ann", name="", avatar_url=None, is_private=True))
    assert Author.objects.get(pk=ANN).is_private
    apply_account(event("updated", 2, username="ann", name="", avatar_url=None))
    assert Author.objects.get(pk=ANN).is_private
    apply_account(event("updated", 3, username="ann", name="", avatar_url=None, is_private=False))
    assert not Author.objects.get(pk=ANN).is_private


def test_an_older_state_arriving_after_a_newer_one_is_ignored():
    apply_account(event("updated", 5, username="newer", name="", avatar_url=None))
    apply_account(event("created", 1, username="older", name="", avatar_url=None))
    assert Author.objects.get(pk=ANN).username == "newer"


def test_deleted_needs_no_payload():
    apply_account(event("created", 1, username="ann", name="", avatar_url=None))
    apply_account(event("deleted", 2))
    assert Author.objects.get(pk=ANN).deleted_at is not None


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"username": ""},
        {"username": 7},
        {"username": "x" * 151},
        {"username": "ann", "name": "n" * 151},
        {"username": "ann", "avatar_url": ["not", "a", "string"]},
        {"username": "ann", "is_private": "yes"},
    ],
)
def test_a_payload_that_can_never_be_applied_is_unprocessable(payload):
    with pytest.raises(Unprocessable):
        apply_account(event("updated", 1, **payload))
    assert not Author.objects.filter(pk=ANN).exists()
