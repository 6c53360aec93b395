"""The relay is fair between aggregates (shared.events.relay): a flood of one account's events
waits in the outbox while every other account's go out with the next batch, each aggregate's
in its order."""

import pytest
from django.db import transaction

from shared.events.models import OutboxEvent
from shared.events.outbox import record_event
from shared.events.relay import Relay

pytestmark = pytest.mark.django_db

RENAMED = "test.account.renamed"
FLOODER, CALM, QUIET = 7, 8, 9


def record(count: int, aggregate_id: int, event_type: str = RENAMED) -> list[int]:
    with transaction.atomic():
        return [
            record_event(type=event_type, aggregate_id=aggregate_id, payload={"i": i}).pk
            for i in range(count)
        ]


def take_batch(relay: Relay) -> list[OutboxEvent]:
    """One batch, locked and marked as the relay does, without the broker."""
    with transaction.atomic():
        rows = relay.lock_batch(relay.batch_size)
        relay.mark_published(rows)
    return rows


def test_the_next_batch_carries_other_aggregates_events_past_a_flood(settings):
    settings.EVENTS_RELAY_PER_AGGREGATE = 20
    flood = record(300, FLOODER)
    calm = record(3, CALM)
    quiet = record(1, QUIET)

    batch = take_batch(Relay())

    assert [row.pk for row in batch] == flood[:20] + calm + quiet


def test_draining_publishes_every_event_once_each_aggregate_in_its_order(settings):
    settings.EVENTS_RELAY_PER_AGGREGATE = 5
    flood = record(40, FLOODER)
    calm = record(7, CALM)
    relay = Relay()
    relay.batch_size = 8

    batches = []
    while batch := take_batch(relay):
        batches.append(batch)

    published = [row for batch in batches for row in batch]
    assert sorted(row.pk for row in published) == sorted(flood + calm)
    for aggregate_id in (FLOODER, CALM):
        sequences = [row.sequence for row in published if row.aggregate_id == aggregate_id]
        assert sequences == sorted(sequences)
    assert all(sum(row.aggregate_id == FLOODER for row in batch) <= 5 for batch in batches)
    # The calm account's events were out within the first three batches (first in, first out
    # they would have waited for the sixth, behind the whole flood).
    assert {row.pk for row in batches[0] + batches[1] + batches[2]} >= set(calm)


def test_a_kind_of_aggregate_is_part_of_its_identity(settings):
    settings.EVENTS_RELAY_PER_AGGREGATE = 2
    accounts = record(4, 7, "test.account.renamed")
    posts = record(4, 7, "test.post.liked")

    assert [row.pk for row in take_batch(Relay())] == accounts[:2] + posts[:2]


def test_a_lone_aggregate_is_not_held_back_beyond_its_share_per_batch(settings):
    settings.EVENTS_RELAY_PER_AGGREGATE = 20
    record(50, FLOODER)
    relay = Relay()

    assert [len(take_batch(relay)) for _ in range(4)] == [20, 20, 10, 0]
