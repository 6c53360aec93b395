"""apply_account_event against real Postgres: idempotency, renames, deletions, concurrency.

The content a deletion must remove is made with the real services (create_post, like_post,
add_comment, follow_user), so every counter starts out as those services keep it.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from actions.accounts import AccountEventType, apply_account_event
from actions.follows import follow_user
from actions.posts import create_post
from authors.models import Author
from authors.services import lock_authors_for_writing, remember_author_from_token
from authors.tests.test_services import caller
from posts.images import process_image
from posts.models import Comment, Like, Post, PostImage
from posts.services import add_comment, like_post
from posts.tests.images import encode, upload
from relationships.models import Follow
from shared.testing import run_concurrently
from social.models import UserStats

CREATED, UPDATED, DELETED = (
    AccountEventType.USER_CREATED,
    AccountEventType.USER_UPDATED,
    AccountEventType.USER_DELETED,
)
GONE, ANN, BOB, CAT = 10, 20, 30, 40


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def rename(sequence: int, user_id: int, username: str, avatar_url: str | None = None) -> bool:
    return apply_account_event(
        sequence=sequence,
        event_type=UPDATED,
        user_id=user_id,
        username=username,
        avatar_url=avatar_url,
    )


def delete(sequence: int, user_id: int) -> bool:
    return apply_account_event(sequence=sequence, event_type=DELETED, user_id=user_id)


def counters(user_id: int) -> tuple[int, int, int]:
    """(posts, followers, following) as stored; zeros without a row."""
    row = UserStats.objects.filter(pk=user_id).values_list(
        "posts_count", "followers_count", "following_count"
    )
    return row.first() or (0, 0, 0)


def assert_every_counter_matches_the_tables() -> None:
    """Stored counters equal what the rows they count say, for every post and every user."""
    for post in Post.objects.all():
        assert post.like_count == Like.objects.filter(post=post).count(), post
        assert post.comment_count == Comment.objects.filter(post=post).count(), post
    users = set(Post.objects.values_list("author_id", flat=True))
    users |= set(Follow.objects.values_list("follower_id", flat=True))
    users |= set(Follow.objects.values_list("followee_id", flat=True))
    users |= set(UserStats.objects.values_list("user_id", flat=True))
    for user_id in users:
        assert counters(user_id) == (
            Post.objects.filter(author_id=user_id).count(),
            Follow.objects.filter(followee_id=user_id).count(),
            Follow.objects.filter(follower_id=user_id).count(),
        ), user_id


def build_world(*, images: bool = False) -> dict[str, Post]:
    """GONE, ANN, BOB and CAT with posts, likes, comments and follows in every direction."""
    for user_id, name in ((GONE, "gone"), (ANN, "ann"), (BOB, "bob"), (CAT, "cat")):
        Author.objects.create(id=user_id, username=name)
    pictures = [process_image(upload(encode("JPEG", (64, 48))))] if images else []
    posts = {
        "gone1": create_post(author_id=GONE, title="mine", images=pictures),
        "gone2": create_post(author_id=GONE, body="also mine"),
        "ann": create_post(author_id=ANN, title="ann's"),
        "bob": create_post(author_id=BOB, title="bob's"),
    }
    for user_id in (GONE, BOB, CAT):
        like_post(user_id=user_id, post=posts["ann"])
    like_post(user_id=GONE, post=posts["bob"])
    like_post(user_id=ANN, post=posts["gone1"])
    for body in ("first", "second"):
        add_comment(post=posts["ann"], author_id=GONE, body=body)
    add_comment(post=posts["ann"], author_id=BOB, body="bob on ann")
    add_comment(post=posts["bob"], author_id=GONE, body="gone on bob")
    add_comment(post=posts["gone1"], author_id=ANN, body="ann on gone")
    for follower, followee in ((GONE, ANN), (GONE, BOB), (ANN, GONE), (CAT, GONE), (ANN, BOB)):
        follow_user(follower_id=follower, followee_id=followee)
    return posts


# --- idempotency -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_rename_delivered_twice_is_applied_once():
    Author.objects.create(id=ANN, username="ann")

    assert rename(5, ANN, "ann2") is True
    first = Author.objects.get(pk=ANN)
    assert rename(5, ANN, "ann2") is False

    again = Author.objects.get(pk=ANN)
    assert (again.username, again.last_event_sequence) == ("ann2", 5)
    assert again.updated_at == first.updated_at  # the repeat wrote nothing


@pytest.mark.django_db
def test_an_older_event_after_a_newer_one_is_ignored():
    Author.objects.create(id=ANN, username="ann")
    assert rename(7, ANN, "newest", "http://cdn.example/new.png") is True

    assert rename(6, ANN, "older") is False
    assert (
        apply_account_event(sequence=3, event_type=CREATED, user_id=ANN, username="original")
        is False
    )

    author = Author.objects.get(pk=ANN)
    assert (author.username, author.avatar_url, author.last_event_sequence) == (
        "newest",
        "http://cdn.example/new.png",
        7,
    )


@pytest.mark.django_db
def test_a_user_the_feed_never_met_is_added_by_their_first_event():
    assert (
        apply_account_event(
            sequence=1,
            event_type=CREATED,
            user_id=ANN,
            username="ann",
            avatar_url="http://cdn.example/ann.png",
        )
        is True
    )

    author = Author.objects.get(pk=ANN)
    assert (author.username, author.avatar_url, author.last_event_sequence) == (
        "ann",
        "http://cdn.example/ann.png",
        1,
    )
    assert author.deleted_at is None


@pytest.mark.django_db
def test_an_update_clears_a_removed_avatar():
    Author.objects.create(id=ANN, username="ann", avatar_url="http://cdn.example/ann.png")

    rename(2, ANN, "ann", avatar_url=None)

    assert Author.objects.get(pk=ANN).avatar_url is None


# --- renames -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rename_shows_at_once_on_every_post_and_comment_of_the_author(client):
    Author.objects.create(id=ANN, username="ann")
    Author.objects.create(id=BOB, username="bob")
    own = [create_post(author_id=ANN, title=f"post {i}") for i in range(3)]
    theirs = create_post(author_id=BOB, title="bob's")
    add_comment(post=theirs, author_id=ANN, body="nice")
    add_comment(post=own[0], author_id=ANN, body="my own")

    rename(9, ANN, "ann_renamed", "http://cdn.example/ann2.png")

    expected = {"id": ANN, "username": "ann_renamed", "avatar_url": "http://cdn.example/ann2.png"}
    listed = client.get(f"/api/v1/users/{ANN}/posts").json()["results"]
    assert [post["author"] for post in listed] == [expected] * 3
    for post in own:
        assert client.get(f"/api/v1/posts/{post.pk}").json()["author"] == expected
    for post in (theirs, own[0]):
        comments = client.get(f"/api/v1/posts/{post.pk}/comments").json()["results"]
        assert [comment["author"] for comment in comments] == [expected]


@pytest.mark.django_db
def test_a_token_issued_before_a_rename_does_not_roll_it_back():
    Author.objects.create(id=ANN, username="ann")
    issued = timezone.now() - timedelta(seconds=5)

    rename(4, ANN, "ann_new")
    remember_author_from_token(caller(ANN, "ann", issued_at=issued))

    assert Author.objects.get(pk=ANN).username == "ann_new"


# --- deletions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deletion_removes_everything_of_the_user_and_fixes_every_counter(
    media_root, django_capture_on_commit_callbacks
):
    posts = build_world(images=True)
    image = PostImage.objects.get(post=posts["gone1"])
    files = [media_root / image.file, media_root / image.thumbnail]
    assert all(path.is_file() for path in files)
    assert counters(ANN) == (1, 1, 2)  # followed by GONE; follows GONE and BOB
    assert counters(BOB) == (1, 2, 0)  # followed by GONE and ANN
    assert counters(CAT) == (0, 0, 1)  # follows GONE

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert delete(50, GONE) is True
    assert all(path.is_file() for path in files)  # files go only once the deletion commits
    for callback in callbacks:
        callback()
    assert not any(path.exists() for path in files)

    assert not Post.objects.filter(author_id=GONE).exists()
    assert not PostImage.objects.filter(post_id__in=[posts["gone1"].pk, posts["gone2"].pk])
    assert not Like.objects.filter(user_id=GONE).exists()
    assert not Comment.objects.filter(author_id=GONE).exists()
    assert not Follow.objects.filter(follower_id=GONE).exists()
    assert not Follow.objects.filter(followee_id=GONE).exists()
    # What others did on the deleted user's posts went with the posts.
    assert not Like.objects.filter(post_id=posts["gone1"].pk).exists()
    assert not Comment.objects.filter(post_id=posts["gone1"].pk).exists()
    ann, bob = Post.objects.get(pk=posts["ann"].pk), Post.objects.get(pk=posts["bob"].pk)
    assert (ann.like_count, ann.comment_count) == (2, 1)  # BOB's and CAT's likes, BOB's comment
    assert (bob.like_count, bob.comment_count) == (0, 0)
    assert counters(ANN) == (1, 0, 1)  # still follows BOB
    assert counters(BOB) == (1, 1, 0)  # still followed by ANN
    assert counters(CAT) == (0, 0, 0)
    assert counters(GONE) == (0, 0, 0)
    assert_every_counter_matches_the_tables()
    author = Author.objects.get(pk=GONE)
    assert author.deleted_at is not None
    assert author.last_event_sequence == 50


@pytest.mark.django_db
def test_a_deletion_delivered_twice_removes_and_decrements_once(media_root):
    posts = build_world()
    assert delete(50, GONE) is True
    # Someone else's later activity must not be undone by the repeat.
    like_post(user_id=ANN, post=posts["bob"])

    assert delete(50, GONE) is False

    assert Post.objects.get(pk=posts["bob"].pk).like_count == 1
    assert Post.objects.get(pk=posts["ann"].pk).like_count == 2
    assert_every_counter_matches_the_tables()


@pytest.mark.django_db
def test_a_deleted_user_stays_deleted_whatever_event_comes_later():
    Author.objects.create(id=GONE, username="gone")
    delete(8, GONE)
    deleted_at = Author.objects.get(pk=GONE).deleted_at

    assert rename(9, GONE, "back_again") is False
    assert (
        apply_account_event(sequence=10, event_type=CREATED, user_id=GONE, username="again")
        is False
    )

    author = Author.objects.get(pk=GONE)
    assert (author.username, author.deleted_at) == ("gone", deleted_at)


@pytest.mark.django_db
def test_a_deletion_of_a_user_the_feed_never_met_marks_them_deleted_for_good():
    assert delete(3, GONE) is True

    # A write with a still-valid token finds the row deleted and cannot recreate the author.
    remember_author_from_token(caller(GONE, "ghost", issued_at=timezone.now()))

    author = Author.objects.get(pk=GONE)
    assert author.deleted_at is not None
    assert author.username == ""


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_deletion_apply_it_exactly_once(media_root):
    posts = build_world()

    results = run_concurrently(12, lambda i: delete(50, GONE))

    assert sorted(results, key=str) == [False] * 11 + [True]
    ann = Post.objects.get(pk=posts["ann"].pk)
    assert (ann.like_count, ann.comment_count) == (2, 1)
    assert counters(ANN) == (1, 0, 1)
    assert_every_counter_matches_the_tables()


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_events_for_an_unknown_user_create_one_author_and_apply_once():
    results = run_concurrently(
        12,
        lambda i: apply_account_event(sequence=1, event_type=CREATED, user_id=ANN, username="ann"),
    )

    assert sorted(results, key=str) == [False] * 11 + [True]
    assert list(Author.objects.values_list("id", "username", "last_event_sequence")) == [
        (ANN, "ann", 1)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_deletion_that_deadlocks_with_another_writer_is_applied_again(media_root, caplog):
    """A real deadlock: Postgres aborts the deletion, which starts over and then succeeds."""
    posts = build_world()
    locked, deletion_waits = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def writer() -> None:
        # Holds ANN's post (which the deletion must update for GONE's like), waits until the
        # deletion is stuck behind it, then asks for GONE's replica row, which the deletion holds.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # The backend whose deadlock_timeout ends first is the one aborted: the
                # deletion's (1 s) must, even when a loaded machine starts this one late.
                cursor.execute("SET LOCAL deadlock_timeout = '30s'")
                cursor.execute(
                    "SELECT id FROM posts_post WHERE id = %s FOR UPDATE", [posts["ann"].pk]
                )
                locked.set()
                assert deletion_waits.wait(10)
                cursor.execute("SELECT id FROM authors_author WHERE id = %s FOR UPDATE", [GONE])
            outcome["writer"] = "committed"
        except Exception as exc:  # the test inspects it
            outcome["writer"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert locked.wait(10)
    watcher = threading.Thread(target=_signal_when_blocked, args=(deletion_waits,))
    watcher.start()
    with caplog.at_level(logging.WARNING, logger="actions.accounts"):
        applied = delete(50, GONE)
    thread.join(10)
    watcher.join(10)

    assert outcome["writer"] == "committed"
    assert applied is True
    assert [record.attempt for record in caplog.records] == [1]
    assert "deadlock" in caplog.records[0].error
    assert not Like.objects.filter(user_id=GONE).exists()
    assert_every_counter_matches_the_tables()


def _signal_when_blocked(event: threading.Event, waiting: int = 1) -> None:
    """Set `event` once `waiting` other backends of this database wait for a lock."""
    deadline = time.monotonic() + 10
    try:
        with connections["default"].cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0] >= waiting:
                    event.set()
                    return
                time.sleep(0.01)
    finally:
        connections["default"].close()


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    """Start `work` in a thread with its own connection; its result or error goes in the dict."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = work()
        except Exception as exc:  # the test inspects it
            outcome["result"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def _wait_until_blocked(waiting: int) -> None:
    blocked = threading.Event()
    _signal_when_blocked(blocked, waiting)
    assert blocked.is_set(), f"expected {waiting} transactions waiting for a lock"


@pytest.mark.django_db(transaction=True)
def test_writes_by_or_about_a_user_that_wait_on_their_deletion_are_refused(media_root):
    """Writes that start while the deletion is applied do not leave anything behind after it."""
    posts = build_world()
    hold, release = threading.Event(), threading.Event()

    def hold_anns_post() -> None:
        # Keeps the deletion inside its transaction: it must update this post's counters.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM posts_post WHERE id = %s FOR UPDATE", [posts["ann"].pk])
            hold.set()
            assert release.wait(10)

    holder, _ = _in_thread(hold_anns_post)
    assert hold.wait(10)
    deletion, deleted = _in_thread(lambda: delete(50, GONE))
    _wait_until_blocked(1)
    bob_post = posts["bob"]
    writes = [
        _in_thread(lambda: create_post(author_id=GONE, title="last words")),
        _in_thread(lambda: add_comment(post=bob_post, author_id=GONE, body="one more")),
        _in_thread(lambda: like_post(user_id=GONE, post=bob_post)),
        _in_thread(lambda: follow_user(follower_id=GONE, followee_id=CAT)),
        _in_thread(lambda: follow_user(follower_id=BOB, followee_id=GONE)),
    ]
    _wait_until_blocked(1 + len(writes))
    release.set()
    for thread, _ in [(holder, None), (deletion, None), *writes]:
        thread.join(10)

    assert deleted["result"] is True
    results = [outcome["result"] for _, outcome in writes]
    assert [type(result).__name__ for result in results] == [
        "AccountDeleted",
        "AccountDeleted",
        "AccountDeleted",
        "AccountDeleted",
        "NotFound",  # GONE is no longer a user one can follow
    ]
    assert not Post.objects.filter(author_id=GONE).exists()
    assert not Comment.objects.filter(author_id=GONE).exists()
    assert not Follow.objects.filter(follower_id=GONE).exists()
    assert not Follow.objects.filter(followee_id=GONE).exists()
    assert_every_counter_matches_the_tables()


@pytest.mark.django_db(transaction=True)
def test_a_deletion_waits_for_a_write_in_progress_and_then_removes_it(media_root):
    posts = build_world()
    written, release = threading.Event(), threading.Event()

    def write_and_linger() -> Post:
        # create_post's own transaction becomes a savepoint: its locks last until this commits.
        with transaction.atomic():
            post = create_post(author_id=GONE, title="written just in time")
            like_post(user_id=GONE, post=posts["bob"])
            written.set()
            assert release.wait(10)
        return post

    writer, wrote = _in_thread(write_and_linger)
    assert written.wait(10)
    deletion, deleted = _in_thread(lambda: delete(50, GONE))
    _wait_until_blocked(1)
    release.set()
    writer.join(10)
    deletion.join(10)

    assert isinstance(wrote["result"], Post)
    assert deleted["result"] is True
    assert not Post.objects.filter(author_id=GONE).exists()
    assert not Like.objects.filter(user_id=GONE).exists()
    assert Post.objects.get(pk=posts["bob"].pk).like_count == 0
    assert_every_counter_matches_the_tables()


def test_locking_authors_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        lock_authors_for_writing(writer_id=GONE)
