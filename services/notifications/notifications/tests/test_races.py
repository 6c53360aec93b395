"""Races between consumers applying events at the same moment, with real threads and
transactions (each thread its own connection)."""

import threading
import time

import pytest
from django.db import connection, transaction

from notifications.models import Notification
from notifications.tests import events

ANN, BOB = 1, 2


def in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_deletion_of_the_actor_that_races_a_like_leaves_no_notification_behind():
    liked, deleting = threading.Event(), threading.Event()

    def like_and_hold() -> None:
        with transaction.atomic():
            events.like(post_id=10, author_id=ANN, user_id=BOB)
            liked.set()
            deleting.wait(5)
            # Give the deletion time to reach the actor's row lock before this commits.
            time.sleep(0.3)

    def delete() -> None:
        liked.wait(5)
        deleting.set()
        events.delete_account(BOB)

    threads = [in_thread(like_and_hold), in_thread(delete)]
    for thread in threads:
        thread.join(10)
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_like_and_its_unlike_applied_at_once_settle_on_the_unlike():
    start = threading.Barrier(2)

    def like() -> None:
        start.wait(5)
        events.like(post_id=10, author_id=ANN, user_id=BOB, sequence=1)

    def unlike() -> None:
        start.wait(5)
        events.unlike(post_id=10, user_id=BOB, sequence=2)

    threads = [in_thread(like), in_thread(unlike)]
    for thread in threads:
        thread.join(10)
    assert not Notification.objects.exists()
