"""The feed's block events reaching the replica: through a real RabbitMQ node and the shared
consumer (the handlers the settings name), in any order, each applied once."""

import threading
import uuid
from collections.abc import Iterator

import pytest
from django.utils import timezone

from blocks.models import Block
from config.events import apply_block
from shared.events import broker
from shared.events.consumer import Consumer, Unprocessable, apply_once
from shared.events.message import Event
from shared.testing import isolated_broker


def block_event(
    kind: str, *, blocker: int = 7, blocked: int = 9, sequence: int = 1, **payload: object
) -> Event:
    return Event(
        id=uuid.uuid4(),
        type=f"feed.block.{kind}",
        aggregate_id=blocker,
        sequence=sequence,
        occurred_at=timezone.now(),
        producer="feed",
        request_id="req-1",
        payload={"blocked_id": blocked, **payload},
    )


def state(blocker: int = 7, blocked: int = 9) -> tuple[bool, int] | None:
    row = Block.objects.filter(blocker_id=blocker, blocked_id=blocked).first()
    return None if row is None else (row.active, row.sequence)


# --- through the broker -----------------------------------------------------------------------


@pytest.fixture
def own_broker(settings) -> Iterator[None]:
    """An exchange and queues of the test's own; removed afterwards."""
    with isolated_broker(settings):
        yield


def publish(settings, *events: Event) -> None:
    """Publish as the feed's relay does: routed by type, persistent, the event as the body."""
    connection = broker.connect()
    try:
        channel = connection.channel()
        for event in events:
            channel.basic_publish(
                exchange=settings.EVENTS_EXCHANGE,
                routing_key=event.type,
                body=event.body(),
                properties=event.properties(),
            )
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_block_events_through_the_broker_keep_the_replica_in_sequence_order(settings, own_broker):
    consumer = Consumer()  # the settings' EVENT_HANDLERS, as manage.py consume_events runs it
    consumer.channel()  # declares the queue and its bindings before anything is published
    unblock = block_event("deleted", sequence=2)
    publish(
        settings,
        block_event("created", blocker=7, blocked=8, sequence=1),
        unblock,
        # The block this unblock undid arrives late, and a redelivery of the unblock.
        block_event("created", sequence=1),
        unblock,
        block_event("created", blocker=5, blocked=9, sequence=4),
    )
    try:
        handled = consumer.consume(threading.Event(), until_idle=0.3)
    finally:
        consumer.close()

    assert handled == 5
    assert state(7, 9) == (False, 2)
    assert state(7, 8) == (True, 1)
    assert state(5, 9) == (True, 4)


# --- applied once, in order -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_block_then_its_unblock_leave_the_pair_unblocked_at_the_newer_sequence():
    assert apply_once(block_event("created", sequence=3), apply_block)
    assert state() == (True, 3)

    assert apply_once(block_event("deleted", sequence=4), apply_block)
    assert state() == (False, 4)


@pytest.mark.django_db
def test_an_older_event_arriving_late_changes_nothing():
    apply_once(block_event("deleted", sequence=5), apply_block)
    apply_once(block_event("created", sequence=4), apply_block)
    assert state() == (False, 5)


@pytest.mark.django_db
def test_a_redelivered_event_is_applied_once():
    event = block_event("created")
    assert apply_once(event, apply_block) is True
    assert apply_once(event, apply_block) is False
    assert Block.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("blocked", [None, "9", 0, -1, 2**63, True, 1.5])
def test_a_block_without_a_blocked_id_is_unprocessable(blocked):
    with pytest.raises(Unprocessable):
        apply_block(block_event("created", blocked=blocked))
    assert not Block.objects.exists()
