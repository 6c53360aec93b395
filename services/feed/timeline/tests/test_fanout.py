"""The hybrid fan-out: a post's copies through the real broker, batch by batch, and accounts
crossing `FANOUT_MAX_FOLLOWERS` either way with every page right at every step."""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction

from actions.follows import follow_user, unfollow_user
from actions.posts import create_post, delete_post
from posts.models import Post
from shared.events.consumer import Consumer
from shared.events.models import AppliedEvent, OutboxEvent
from shared.events.relay import Relay
from shared.testing import isolated_broker
from timeline import services as timeline_services
from timeline.events import FANOUT_POST, FANOUT_REFILL
from timeline.models import InboxCoverage, InboxEntry, MergedAuthor
from timeline.selectors import timeline_page
from timeline.services import fan_out_batch
from timeline.tests.fanout import run_fanout
from timeline.tests.test_inbox import ALWAYS, authors, in_thread, inbox


def page(viewer_id: int, limit: int = 20) -> list[int]:
    return [row.id for row in timeline_page(viewer_id=viewer_id, cursor=None, limit=limit)]


def pages_agree(settings, viewers: list[int]) -> dict[int, list[int]]:
    """Every viewer's first pages as the inboxes answer them equal the merged ones; return
    them."""
    answered = {(v, limit): page(v, limit) for v in viewers for limit in (1, 2, 20)}
    days = settings.TIMELINE_INBOX_DAYS
    settings.TIMELINE_INBOX_DAYS = 0
    merged = {(v, limit): page(v, limit) for v in viewers for limit in (1, 2, 20)}
    settings.TIMELINE_INBOX_DAYS = days
    assert answered == merged
    return {v: answered[(v, 20)] for v in viewers}


def pending() -> int:
    return OutboxEvent.objects.filter(
        published_at__isnull=True, type__in=[FANOUT_POST, FANOUT_REFILL]
    ).count()


# --- through the broker ---------------------------------------------------------------------


@pytest.fixture
def own_broker(settings) -> Iterator[None]:
    """The feed's own handlers on an exchange and queues of this test's own."""
    with isolated_broker(settings):
        yield


def relay_and_consume(consumer: Consumer) -> int:
    """Relay and consume until the fan-out events stop coming; return the messages applied."""
    relay = Relay()
    applied = 0
    try:
        for _ in range(50):
            if not relay.relay_all():
                return applied
            applied += consumer.consume(threading.Event(), until_idle=0.3)
    finally:
        relay.close()
    raise AssertionError("the fan-out did not finish")


@pytest.mark.django_db(transaction=True)
def test_a_post_reaches_every_follower_through_the_broker_in_batches_once(settings, own_broker):
    settings.FANOUT_BATCH_SIZE = 2
    InboxCoverage.objects.update_or_create(id=1, defaults={"complete_since": ALWAYS})
    followers = list(range(10, 17))
    authors(2, *followers)
    for follower in followers:
        follow_user(follower_id=follower, followee_id=2)
    consumer = Consumer()
    consumer.channel()  # its queue and bindings exist before anything is published
    try:
        post = create_post(author_id=2, title="hello")
        assert [inbox(f) for f in followers] == [[]] * 7
        assert [page(f) for f in followers] == [[post.pk]] * 7  # merged while pending

        # Seven followers in batches of two: four events, each recorded by the one before.
        assert relay_and_consume(consumer) == 4
        assert [inbox(f) for f in followers] == [[post.pk]] * 7
        assert not InboxEntry.objects.filter(fanout_pending=True).exists()

        # The relay publishes the first batch again (as after dying before marking it): the
        # consumer finds it applied, and nothing changes.
        first = OutboxEvent.objects.filter(type=FANOUT_POST).order_by("pk").first()
        OutboxEvent.objects.filter(pk=first.pk).update(published_at=None)
        entries = InboxEntry.objects.count()
        assert relay_and_consume(consumer) == 1  # delivered, found applied, acknowledged
        assert InboxEntry.objects.count() == entries == 8
        assert pending() == 0  # and it recorded no second next batch
        assert AppliedEvent.objects.filter(type=FANOUT_POST).count() == 4
    finally:
        consumer.close()


# --- crossing the threshold -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_account_crossing_the_threshold_up_is_merged_and_every_page_stays_right(settings):
    settings.FANOUT_MAX_FOLLOWERS = 2
    authors(2, 10, 11, 12, 13)
    follow_user(follower_id=10, followee_id=2)
    follow_user(follower_id=11, followee_id=2)
    before = create_post(author_id=2, title="fanned out")
    run_fanout()
    assert inbox(10) == inbox(11) == [before.pk]

    follow_user(follower_id=12, followee_id=2)  # three followers: over the threshold
    after = create_post(author_id=2, title="merged")
    assert pages_agree(settings, [10, 11, 12, 13]) == {
        10: [after.pk, before.pk],
        11: [after.pk, before.pk],
        12: [after.pk, before.pk],
        13: [],
    }
    run_fanout()

    assert MergedAuthor.objects.filter(pk=2, refilling=False).exists()
    assert inbox(10) == inbox(11) == [before.pk]  # the new post is not copied
    assert inbox(2) == [after.pk, before.pk]
    # A follow of a merged account copies nothing; its posts are merged into every page.
    follow_user(follower_id=13, followee_id=2)
    assert inbox(13) == []
    expected = [after.pk, before.pk]
    assert pages_agree(settings, [10, 11, 12, 13]) == dict.fromkeys((10, 11, 12, 13), expected)


@pytest.mark.django_db
def test_an_account_back_under_the_threshold_is_refilled_and_every_page_stays_right(settings):
    settings.FANOUT_MAX_FOLLOWERS = 10
    settings.FANOUT_BATCH_SIZE = 4  # two posts a follower: two followers a refill batch
    followers = list(range(10, 21))
    authors(2, 30, *followers)
    for follower in followers:
        follow_user(follower_id=follower, followee_id=2)
    first = create_post(author_id=2, title="one")
    run_fanout()
    assert MergedAuthor.objects.filter(pk=2).exists()
    for follower in followers[:4]:  # 7 left: under 90% of 10
        unfollow_user(follower_id=follower, followee_id=2)
    kept = followers[4:]

    second = create_post(author_id=2, title="two")
    expected = {**{f: [second.pk, first.pk] for f in kept}, 30: []}
    assert pages_agree(settings, [*kept, 30]) == expected
    # One event at a time: the switch to refilling, then batches of two followers.
    run_fanout(limit=1)
    assert MergedAuthor.objects.get(pk=2).refilling
    follow_user(follower_id=30, followee_id=2)  # while refilling: copies the posts itself
    assert inbox(30) == [second.pk, first.pk]
    expected[30] = [second.pk, first.pk]
    steps = 0
    while pending():
        assert pages_agree(settings, [*kept, 30]) == expected
        run_fanout(limit=1)
        steps += 1
    assert steps == 5  # 8 followers, 2 a batch: the last batch finds none and finishes

    assert not MergedAuthor.objects.filter(pk=2).exists()
    for follower in [*kept, 30]:
        assert inbox(follower) == [second.pk, first.pk], follower
    for follower in followers[:4]:
        assert inbox(follower) == [], follower
    # Fanned out again: the next post is copied, and the pages still agree.
    third = create_post(author_id=2, title="three")
    run_fanout()
    assert inbox(kept[0]) == [third.pk, second.pk, first.pk]
    assert pages_agree(settings, [*kept, 30])[kept[0]] == [third.pk, second.pk, first.pk]


@pytest.mark.django_db(transaction=True)
def test_the_switch_to_refilling_waits_for_a_follow_deciding_not_to_copy(settings):
    # A follow of a merged account reads its row FOR SHARE and copies nothing; the switch
    # waits for it, so the refill's batches (which start after the switch) see the follower.
    settings.FANOUT_MAX_FOLLOWERS = 10
    InboxCoverage.objects.update_or_create(id=1, defaults={"complete_since": ALWAYS})
    authors(2, 10)
    MergedAuthor.objects.create(author_id=2)
    post = create_post(author_id=2, title="hi")

    switch, outcome = in_thread(lambda: run_fanout())
    with transaction.atomic():
        follow_user(follower_id=10, followee_id=2)
        assert inbox(10) == []
        switch.start()
        switch.join(0.5)
        assert switch.is_alive(), "the switch did not wait for the follow"
    switch.join(30)
    assert not [o for o in outcome if isinstance(o, Exception)], outcome
    run_fanout()

    assert not MergedAuthor.objects.filter(pk=2).exists()
    assert inbox(10) == [post.pk]


@pytest.mark.django_db
def test_a_batch_of_a_post_by_a_merged_account_clears_its_mark_and_copies_nothing(settings):
    settings.FANOUT_MAX_FOLLOWERS = 0
    authors(2, 10)
    follow_user(follower_id=10, followee_id=2)
    post = create_post(author_id=2, title="hi")

    assert fan_out_batch(post_id=post.pk, cursor=None) == 0
    assert not InboxEntry.objects.filter(fanout_pending=True).exists()
    assert inbox(10) == []
    assert page(10) == [post.pk]
    assert Post.objects.count() == 1


@pytest.mark.django_db
def test_deleting_a_merged_accounts_posts_takes_them_out_of_every_inbox_that_has_them(
    settings, monkeypatch
):
    settings.FANOUT_MAX_FOLLOWERS = 1
    monkeypatch.setattr(timeline_services, "MERGED_CLOCK_MARGIN", timedelta(0))  # one clock
    authors(2, 10, 11)
    follow_user(follower_id=10, followee_id=2)
    before = create_post(author_id=2, title="copied")
    run_fanout()
    follow_user(follower_id=11, followee_id=2)  # over the threshold: merged at the next post
    after = create_post(author_id=2, title="merged")
    run_fanout()
    assert MergedAuthor.objects.filter(pk=2).exists()
    assert inbox(10) == [before.pk]
    assert inbox(2) == [after.pk, before.pk]

    delete_post(post=after)  # only its author's entry to look for
    delete_post(post=before)  # from before the merge: its followers' copies too

    assert InboxEntry.objects.count() == 0
