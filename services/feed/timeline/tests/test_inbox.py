"""The timeline inboxes against real Postgres: what each write puts in and takes out, under
concurrency too, the trim, and which pages an inbox answers."""

import io
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from actions.accounts import AccountEventType, apply_account_event
from actions.follows import follow_user, unfollow_user
from actions.posts import create_post, delete_post
from posts.models import Post
from posts.tests.factories import AuthorFactory, post_at
from relationships.models import Follow
from shared import prepared
from shared.pagination import Cursor, Keyset
from shared.testing import run_concurrently
from social.models import UserStats
from social.tests.factories import FollowFactory
from timeline.models import InboxCoverage, InboxEntry, MergedAuthor
from timeline.selectors import _inbox_or_merge, timeline_page
from timeline.services import (
    TRIM_MARGIN,
    backfill_followee,
    fan_out_batch,
    fill_inboxes,
    fill_inboxes_in_bulk,
    inbox_window,
    remove_followee,
    trim_inboxes,
    withdraw_post,
)
from timeline.tests.fanout import run_fanout


def inbox(owner_id: int) -> list[int]:
    """The post ids in the owner's inbox, newest first."""
    entries = InboxEntry.objects.filter(owner_id=owner_id).order_by("-created_at", "-post_id")
    return list(entries.values_list("post_id", flat=True))


def everything() -> set[tuple[int, int]]:
    return set(InboxEntry.objects.values_list("owner_id", "post_id"))


def coverage() -> datetime | None:
    return InboxCoverage.objects.get(id=1).complete_since


def set_coverage(since: datetime | None) -> None:
    InboxCoverage.objects.update_or_create(id=1, defaults={"complete_since": since})


# What the migration marks a database without posts: complete since the beginning.
ALWAYS = datetime(1, 1, 1, tzinfo=UTC)


def authors(*user_ids: int) -> None:
    for user_id in user_ids:
        AuthorFactory(id=user_id)


def follows(*pairs: tuple[int, int]) -> None:
    """Each (follower, followee) follows, through the service."""
    for follower, followee in pairs:
        follow_user(follower_id=follower, followee_id=followee)


def posted(*, author_id: int, title: str) -> Post:
    """A post through the service, fanned out as the consumer would once it commits."""
    post = create_post(author_id=author_id, title=title)
    run_fanout()
    return post


def one_follows_two() -> None:
    authors(1, 2)
    follow_user(follower_id=1, followee_id=2)


def drop_the_follow_keeping_the_inbox() -> None:
    """1 stops following 2 behind the services' back: 1's inbox keeps 2's posts and the merge no
    longer finds them, so a page of 1's shows which of the two answered it."""
    Follow.objects.filter(follower_id=1, followee_id=2).delete()


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """A thread (not started) that runs `work` on its own connection, and the list that will
    hold what it returned or raised."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # the test inspects it
            outcome.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run), outcome


def page_ids(viewer_id: int, cursor: Cursor | None = None, limit: int = 20) -> list[int]:
    return [row.id for row in timeline_page(viewer_id=viewer_id, cursor=cursor, limit=limit)]


def key(post: Post) -> tuple:
    return (post.created_at, post.pk)


# --- what the writes keep -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_post_goes_into_its_authors_inbox_at_once_and_each_followers_by_its_fan_out():
    authors(1, 2, 3, 4, 5)
    follows((1, 2), (3, 2), (4, 5))

    post = create_post(author_id=2, title="hello")
    assert everything() == {(2, post.pk)}
    # Meanwhile the followers' pages merge it from the author's entry, marked pending.
    assert page_ids(1) == page_ids(3) == [post.pk]
    assert page_ids(4) == []

    assert run_fanout() == 1
    assert everything() == {(2, post.pk), (1, post.pk), (3, post.pk)}
    assert not InboxEntry.objects.filter(fanout_pending=True).exists()
    assert page_ids(1) == page_ids(3) == [post.pk]


@pytest.mark.django_db
def test_a_follow_copies_in_the_followees_posts_of_the_covered_range_only():
    authors(1, 2)
    old = post_at(2, timezone.now() - inbox_window() - timedelta(hours=1))
    recent = [create_post(author_id=2, title=f"p{n}") for n in range(3)]
    fill_inboxes()  # the inboxes are complete from the window's start on

    follow_user(follower_id=1, followee_id=2)
    follow_user(follower_id=1, followee_id=2)  # again: nothing more

    assert inbox(1) == [p.pk for p in reversed(recent)]
    assert old.pk not in inbox(1)


@pytest.mark.django_db
def test_an_unfollow_takes_out_every_post_of_the_followee_and_nothing_else():
    authors(1, 2, 3)
    follows((1, 2), (1, 3))
    theirs = posted(author_id=2, title="theirs")
    kept = [posted(author_id=3, title="kept"), posted(author_id=1, title="mine")]
    # An entry older than the window that the trim has not reached yet goes too.
    old = post_at(2, timezone.now() - inbox_window() - timedelta(days=3))
    InboxEntry.objects.create(owner_id=1, created_at=old.created_at, post_id=old.pk)

    unfollow_user(follower_id=1, followee_id=2)

    assert inbox(1) == [p.pk for p in reversed(kept)]
    assert inbox(2) == [theirs.pk]


@pytest.mark.django_db
def test_deleting_a_post_takes_it_out_of_every_inbox():
    authors(1, 2, 3)
    follows((1, 2), (3, 2))
    gone, stays = posted(author_id=2, title="gone"), posted(author_id=2, title="stays")

    delete_post(post=gone)

    assert everything() == {(2, stays.pk), (1, stays.pk), (3, stays.pk)}


@pytest.mark.django_db
def test_a_deleted_account_loses_its_inbox():
    authors(1, 2, 3)
    follows((1, 2), (3, 2))
    post = posted(author_id=2, title="hi")

    MergedAuthor.objects.create(author_id=1)
    apply_account_event(sequence=1, event_type=AccountEventType.USER_DELETED, user_id=1)

    assert everything() == {(2, post.pk), (3, post.pk)}
    assert not MergedAuthor.objects.exists()


@pytest.mark.django_db
def test_fill_inboxes_writes_what_posting_and_following_would_have():
    authors(1, 2, 3, 4)
    follows((1, 2), (1, 3), (3, 2), (4, 1))
    for n in range(8):
        posted(author_id=1 + n % 4, title=f"p{n}")
    post_at(2, timezone.now() - inbox_window() - timedelta(hours=1))  # outside: not copied
    written = everything()

    InboxEntry.objects.all().delete()
    before = timezone.now()
    added = fill_inboxes()

    assert everything() == written
    assert added == len(written)
    assert fill_inboxes() == 0  # idempotent
    # Complete from the window's start (the database's clock) on, and marked so.
    since = coverage()
    assert before - inbox_window() - timedelta(minutes=1) < since < timezone.now() - inbox_window()


@pytest.mark.django_db
def test_the_bulk_fill_writes_what_the_live_fill_does():
    authors(1, 2, 3)
    follows((1, 2), (3, 2), (2, 1))
    for n in range(6):
        posted(author_id=1 + n % 3, title=f"p{n}")
    written = everything()
    InboxEntry.objects.all().delete()

    assert fill_inboxes_in_bulk() == len(written)
    assert everything() == written
    assert coverage() is not None


@pytest.mark.django_db
def test_the_trim_removes_only_entries_past_the_window_and_its_margin():
    now = timezone.now()
    ages = {
        "recent": timedelta(days=1),
        "just outside the window": inbox_window() + TRIM_MARGIN / 2,
        "past the margin": inbox_window() + TRIM_MARGIN + timedelta(hours=1),
    }
    for owner in range(1, 8):
        for n, age in enumerate(ages.values()):
            InboxEntry.objects.create(owner_id=owner, created_at=now - age, post_id=owner * 10 + n)

    removed = trim_inboxes(batch=3)  # 7 owners: three batches

    assert removed == 7
    kept = sorted(InboxEntry.objects.values_list("post_id", flat=True))
    assert kept == [owner * 10 + n for owner in range(1, 8) for n in (0, 1)]
    # No page trusts the inboxes below the cut any more.
    cut = coverage()
    assert now - ages["past the margin"] < cut < now - ages["just outside the window"]


@pytest.mark.django_db
def test_the_trim_moves_the_coverage_forward_only_and_never_marks_unfilled_inboxes():
    set_coverage(timezone.now() - timedelta(days=2))
    trim_inboxes()
    assert coverage() > timezone.now() - timedelta(days=2, minutes=1)  # already past the cut

    set_coverage(None)
    trim_inboxes()
    assert coverage() is None


# --- which pages an inbox answers ---------------------------------------------------------------


@pytest.mark.django_db
def test_no_page_is_read_from_inboxes_not_marked_complete():
    # Inboxes of an existing database before `fill_timeline_inboxes`, say: the entries may be
    # there, but every page is merged (1 follows nobody any more, so the merge finds nothing).
    one_follows_two()
    posts = [posted(author_id=2, title=f"p{n}") for n in range(3)]
    drop_the_follow_keeping_the_inbox()
    assert page_ids(1, limit=2) == [posts[2].pk, posts[1].pk]

    set_coverage(None)

    assert page_ids(1, limit=2) == []
    assert page_ids(1, Cursor(key(posts[0]), reverse=True)) == []


@pytest.mark.django_db
def test_a_page_reaching_below_the_coverage_is_merged_until_a_fill_covers_it():
    # As after a trim of a smaller window (TIMELINE_INBOX_DAYS lowered, or raised again
    # without a fill): entries below the coverage may be missing, so a page reaching them is
    # merged, full or not; a fill of the window marks them complete again.
    one_follows_two()
    posts = [post_at(2, timezone.now() - timedelta(days=d)) for d in (8, 1)]
    fill_inboxes()
    drop_the_follow_keeping_the_inbox()
    assert page_ids(1, limit=2) == [posts[1].pk, posts[0].pk]  # the inbox

    set_coverage(timezone.now() - timedelta(days=5))
    assert page_ids(1, limit=1) == [posts[1].pk]  # inside the coverage: the inbox
    assert page_ids(1, limit=2) == []  # reaching below it: merged

    fill_inboxes()
    assert page_ids(1, limit=2) == [posts[1].pk, posts[0].pk]


@pytest.mark.django_db
def test_pages_inside_the_window_come_from_the_inbox_and_the_rest_are_merged():
    one_follows_two()
    older = post_at(2, timezone.now() - inbox_window() - timedelta(days=2))
    middle = create_post(author_id=2, title="middle")
    newest = create_post(author_id=2, title="newest")
    fill_inboxes()  # complete from the window's start on
    drop_the_follow_keeping_the_inbox()

    # A full page inside the window: the inbox.
    assert page_ids(1, limit=2) == [newest.pk, middle.pk]
    # A page the inbox cannot fill (it would reach past the window): merged, and 1 follows
    # nobody now.
    assert page_ids(1, limit=3) == []
    assert page_ids(1, Cursor(key(middle))) == []
    # Towards newer posts from a cursor inside the window: the inbox, full page or not.
    assert page_ids(1, Cursor(key(middle), reverse=True)) == [newest.pk]
    # From a cursor outside it: merged.
    assert page_ids(1, Cursor(key(older), reverse=True)) == []


@pytest.mark.django_db
def test_a_page_whose_oldest_post_is_exactly_at_the_coverage_start_is_the_inboxs():
    one_follows_two()
    posts = [posted(author_id=2, title=f"p{n}") for n in range(3)]
    drop_the_follow_keeping_the_inbox()

    set_coverage(posts[1].created_at)
    assert page_ids(1, limit=2) == [posts[2].pk, posts[1].pk]  # the inbox
    assert page_ids(1, Cursor(key(posts[1]), reverse=True)) == [posts[2].pk]  # the inbox

    set_coverage(posts[1].created_at + timedelta(microseconds=1))
    assert page_ids(1, limit=2) == []  # merged
    assert page_ids(1, Cursor(key(posts[1]), reverse=True)) == []  # merged


@pytest.mark.django_db
def test_the_migration_marks_only_a_database_without_posts_complete():
    first_coverage = import_module("timeline.migrations.0002_inbox_coverage").first_coverage
    InboxCoverage.objects.all().delete()
    first_coverage(django_apps, None)
    assert coverage() == ALWAYS

    InboxCoverage.objects.all().delete()
    create_post(author_id=2, title="already here")
    first_coverage(django_apps, None)
    assert coverage() is None


@pytest.mark.django_db
def test_an_entry_whose_post_is_gone_is_skipped():
    one_follows_two()
    posts = [posted(author_id=2, title=f"p{n}") for n in range(4)]
    # Deleted behind the services' back (as by an account deletion): the entry stays.
    Post.objects.filter(pk=posts[2].pk).delete()

    assert page_ids(1, limit=2) == [posts[3].pk, posts[1].pk]


@pytest.mark.django_db
@pytest.mark.parametrize("max_followers", [3, 10_000])
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_inbox_and_the_merge_agree_on_every_page_after_any_writes(
    settings, seed, max_followers
):
    # Random follows, unfollows, posts and deletions through the services, fan-outs run at
    # random moments (some left pending), then every page of every timeline in both
    # directions, from the inboxes and merged. With a threshold of 3 followers, accounts cross
    # it both ways along the way.
    settings.FANOUT_MAX_FOLLOWERS = max_followers
    settings.FANOUT_BATCH_SIZE = 2
    rng = random.Random(seed)
    users = list(range(1, 9))
    authors(*users)
    posts: list[Post] = []
    for _ in range(150):
        if rng.random() < 0.3:
            run_fanout(limit=rng.randint(1, 3))
        a, b = rng.sample(users, 2)
        action = rng.random()
        if action < 0.2:
            follow_user(follower_id=a, followee_id=b)
        elif action < 0.4:
            unfollow_user(follower_id=a, followee_id=b)
        elif action < 0.9 or not posts:
            posts.append(create_post(author_id=a, title="p"))
        else:
            delete_post(post=posts.pop(rng.randrange(len(posts))))

    def walk(viewer: int, limit: int) -> tuple[list[int], list[int]]:
        forward, cursor, last = [], None, None
        while True:
            rows = timeline_page(viewer_id=viewer, cursor=cursor, limit=limit)
            forward += [row.id for row in rows]
            if len(rows) < limit:
                break
            last = rows[-1]
            cursor = Cursor((last.created_at, last.id))
        backward = []
        while last is not None:
            rows = timeline_page(
                viewer_id=viewer, cursor=Cursor((last.created_at, last.id), True), limit=limit
            )
            backward += [row.id for row in rows]
            last = rows[-1] if len(rows) == limit else None
        return forward, backward

    from_inbox = {(v, limit): walk(v, limit) for v in users for limit in (1, 3, 7)}
    settings.TIMELINE_INBOX_DAYS = 0
    merged = {(v, limit): walk(v, limit) for v in users for limit in (1, 3, 7)}

    assert from_inbox == merged
    assert any(len(forward) > 7 for forward, _ in merged.values())


# --- concurrency --------------------------------------------------------------------------------


FOLLOWERS = list(range(10, 18))


def race_four_posts_by_2_against(change: Callable[[int], object]) -> None:
    """Run `change(follower)` for every follower at the same moment as four posts by user 2
    and two consumers fanning out whatever is pending, batch by batch; then let the fan-out
    finish, as the consumer would.

    (A transactional test's flush empties the coverage table: it is marked here as the
    migration marks a new database.)
    """
    set_coverage(ALWAYS)

    def work(i: int) -> object:
        if i < len(FOLLOWERS):
            return change(FOLLOWERS[i])
        if i < len(FOLLOWERS) + 4:
            return create_post(author_id=2, title=f"p{i}")
        return sum(run_fanout() for _ in range(20))

    results = run_concurrently(len(FOLLOWERS) + 6, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    run_fanout()


@pytest.mark.django_db(transaction=True)
def test_posts_and_follows_during_their_fan_out_leave_every_post_in_every_inbox(settings):
    # A follow's backfill and a post's fan-out batch must see each other whichever commits
    # first. Batches of 3 followers: the follows land between batches and inside them.
    settings.FANOUT_BATCH_SIZE = 3
    authors(2, *FOLLOWERS)

    race_four_posts_by_2_against(lambda follower: follow_user(follower_id=follower, followee_id=2))

    posts = sorted(Post.objects.filter(author_id=2).values_list("pk", flat=True))
    assert len(posts) == 4
    for follower in FOLLOWERS:
        assert sorted(inbox(follower)) == posts, follower
    assert not InboxEntry.objects.filter(fanout_pending=True).exists()


@pytest.mark.django_db(transaction=True)
def test_posts_and_unfollows_during_their_fan_out_leave_no_post_behind(settings):
    settings.FANOUT_BATCH_SIZE = 3
    authors(2, *FOLLOWERS)
    for follower in FOLLOWERS:
        follow_user(follower_id=follower, followee_id=2)

    race_four_posts_by_2_against(
        lambda follower: unfollow_user(follower_id=follower, followee_id=2)
    )

    for follower in FOLLOWERS:
        assert inbox(follower) == [], follower
    assert len(inbox(2)) == 4


def hold_a_fan_out_batch_while(post: Post, other: Callable[[], object]) -> list[object]:
    """Run the post's first fan-out batch in a transaction that stays open while `other` runs
    in a thread; check that `other` waits for it; return what `other` returned."""
    thread, outcome = in_thread(other)
    with transaction.atomic():
        fan_out_batch(post_id=post.pk, cursor=None)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "it did not wait for the fan-out batch"
    thread.join(30)
    assert not [o for o in outcome if isinstance(o, Exception)], outcome
    return outcome


@pytest.mark.django_db(transaction=True)
def test_an_unfollow_during_a_fan_out_batch_waits_for_it_and_takes_out_what_it_wrote():
    authors(2, 10)
    set_coverage(ALWAYS)
    follow_user(follower_id=10, followee_id=2)
    post = create_post(author_id=2, title="hi")

    hold_a_fan_out_batch_while(post, lambda: unfollow_user(follower_id=10, followee_id=2))

    assert inbox(10) == []


@pytest.mark.django_db(transaction=True)
def test_a_post_deleted_during_its_fan_out_leaves_nothing_behind():
    authors(2, 10, 11)
    set_coverage(ALWAYS)
    follows((10, 2), (11, 2))
    post = create_post(author_id=2, title="hi")

    hold_a_fan_out_batch_while(post, lambda: delete_post(post=post))
    run_fanout()

    assert everything() == set()


@pytest.mark.django_db
def test_a_post_deleted_before_its_fan_out_leaves_nothing_behind():
    authors(2, 10)
    follows((10, 2))
    post = create_post(author_id=2, title="hi")
    delete_post(post=post)

    assert run_fanout() == 1
    assert everything() == set()


@pytest.mark.django_db
def test_a_redelivered_batch_changes_nothing():
    authors(2, 10, 11)
    follows((10, 2), (11, 2))
    post = create_post(author_id=2, title="hi")
    run_fanout()
    before = everything()

    assert fan_out_batch(post_id=post.pk, cursor=None) == 0
    assert everything() == before == {(2, post.pk), (10, post.pk), (11, post.pk)}


@pytest.mark.django_db(transaction=True)
def test_a_fill_waits_for_an_unfollow_of_the_author_in_progress():
    # The fill copies author by author under the author's counters row lock, as posts do: a
    # fill that read the follow while the unfollow was committing would leave its copies.
    authors(2, 10)
    set_coverage(ALWAYS)
    follow_user(follower_id=10, followee_id=2)
    for n in range(5):
        create_post(author_id=2, title=f"p{n}")
    InboxEntry.objects.all().delete()  # as before a first fill
    filler, outcome = in_thread(fill_inboxes)
    with transaction.atomic():
        unfollow_user(follower_id=10, followee_id=2)  # holds the counters rows until commit
        filler.start()
        filler.join(0.5)
        assert filler.is_alive(), "the fill did not wait for the author's counters row"
    filler.join(30)

    assert outcome == [5]  # the author's own inbox only
    assert inbox(10) == []


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_batch_waits_for_a_follow_of_the_author_copying_its_posts():
    # The follow's backfill ran before the post committed, so it did not copy it: the batch
    # must not read the followers until that follow has committed.
    authors(2, 10)
    set_coverage(ALWAYS)
    post = create_post(author_id=2, title="hi")
    batch, outcome = in_thread(lambda: run_fanout())
    with transaction.atomic():
        follow_user(follower_id=10, followee_id=2)  # holds the author's fan-out lock, shared
        InboxEntry.objects.filter(owner_id=10).delete()  # as if it ran before the post
        batch.start()
        batch.join(0.5)
        assert batch.is_alive(), "the batch did not wait for the follow"
    batch.join(30)

    assert outcome == [1]
    assert inbox(10) == [post.pk]


INBOX_WRITES = {
    "withdraw_post": lambda post: withdraw_post(post=post),
    "backfill_followee": lambda post: backfill_followee(follower_id=10, followee_id=2),
    "remove_followee": lambda post: remove_followee(follower_id=10, followee_id=2),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", INBOX_WRITES)
def test_each_inbox_write_takes_the_authors_counters_row_lock_itself(write):
    # The rule of timeline.services is in the functions, not in their callers: called in a
    # transaction that has not touched the author's counters, each still waits for a post or
    # follow of the author in progress before it reads follows or posts. (A fan-out batch
    # waits on the author's fan-out lock instead: the test above.)
    authors(2, 10)
    post = create_post(author_id=2, title="hi")

    def run() -> object:
        with transaction.atomic():
            return INBOX_WRITES[write](post)

    writer, outcome = in_thread(run)
    with transaction.atomic():
        UserStats.objects.filter(pk=2).update(posts_count=F("posts_count"))  # as a post would
        writer.start()
        writer.join(0.5)
        assert writer.is_alive(), f"{write} did not wait for the author's counters row"
    writer.join(30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], int), outcome


@pytest.mark.django_db
def test_a_page_from_the_inbox_reads_one_range_of_it():
    one_follows_two()
    for n in range(30):
        create_post(author_id=2, title=f"p{n}")
    params = {"viewer": 1}
    # The query of the page's post ids, without the post rows around it.
    sql = prepared.render(_inbox_or_merge(Keyset.of(None), 20))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # The merge's half is planned but never run.
    assert "(never executed)" in plan
    assert "timeline_inboxentry" in plan


# --- the commands -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_commands_fill_and_trim_the_inboxes():
    authors(1, 2)
    FollowFactory(follower_id=1, followee_id=2)  # a follow written without its backfill
    recent = post_at(2, timezone.now() - timedelta(days=1))
    stale = InboxEntry.objects.create(
        owner_id=1, created_at=timezone.now() - inbox_window() - 2 * TRIM_MARGIN, post_id=999
    )
    out = io.StringIO()

    call_command("fill_timeline_inboxes", stdout=out)
    call_command("trim_timeline_inboxes", stdout=out)

    assert out.getvalue() == "added 2 timeline inbox entries\nremoved 1 timeline inbox entries\n"
    assert inbox(1) == [recent.pk]
    assert not InboxEntry.objects.filter(post_id=stale.post_id).exists()
