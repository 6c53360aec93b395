"""Writes of bookmarks and collections, against real Postgres: the races and the cascades."""

import pytest

from actions.accounts import AccountEventType, apply_account_event
from posts.models import Bookmark
from posts.services import bookmark_post, remove_post
from posts.tests.factories import AuthorFactory, PostFactory
from saved.models import Collection, CollectionEntry
from saved.services import add_to_collection, create_collection, remove_bookmark
from shared.testing import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookmarks_by_one_user_leave_one():
    post = PostFactory()

    results = run_concurrently(20, lambda _: bookmark_post(user_id=77, post=post))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert results.count(True) == 1
    assert Bookmark.objects.filter(post=post, user_id=77).count() == 1


@pytest.mark.django_db(transaction=True)
def test_bookmarks_and_unbookmarks_interleaved_never_fail_and_leave_at_most_one():
    post = PostFactory()

    def toggle(i: int) -> None:
        for round_ in range(10):
            if (i + round_) % 2:
                bookmark_post(user_id=7, post=post)
            else:
                remove_bookmark(user_id=7, post_id=post.pk)

    results = run_concurrently(8, toggle)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Bookmark.objects.filter(post=post, user_id=7).count() <= 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_puts_of_one_post_in_a_collection_leave_one_entry_and_one_bookmark():
    post = PostFactory()
    collection = create_collection(owner_id=7, name="Trips")

    results = run_concurrently(12, lambda _: add_to_collection(collection=collection, post=post))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert CollectionEntry.objects.filter(collection=collection, post=post).count() == 1
    assert Bookmark.objects.filter(post=post, user_id=7).count() == 1


@pytest.mark.django_db
def test_removing_a_bookmark_takes_the_post_out_of_the_owners_collections_only():
    post = PostFactory()
    mine = create_collection(owner_id=7, name="Mine")
    theirs = create_collection(owner_id=8, name="Theirs")
    add_to_collection(collection=mine, post=post)
    add_to_collection(collection=theirs, post=post)

    remove_bookmark(user_id=7, post_id=post.pk)

    assert not Bookmark.objects.filter(user_id=7).exists()
    assert list(CollectionEntry.objects.values_list("collection_id", flat=True)) == [theirs.pk]


@pytest.mark.django_db
def test_deleting_a_post_removes_its_bookmarks_and_entries():
    post = PostFactory()
    collection = create_collection(owner_id=7, name="Trips")
    add_to_collection(collection=collection, post=post)

    remove_post(post=post)

    assert not Bookmark.objects.exists()
    assert not CollectionEntry.objects.exists()
    assert Collection.objects.filter(pk=collection.pk).exists()


@pytest.mark.django_db
def test_deleting_an_account_removes_its_bookmarks_and_collections():
    gone = AuthorFactory()
    post = PostFactory()
    kept = PostFactory()
    add_to_collection(collection=create_collection(owner_id=gone.id, name="x"), post=post)
    bookmark_post(user_id=8, post=kept)

    apply_account_event(sequence=1, event_type=AccountEventType.USER_DELETED, user_id=gone.id)

    assert list(Bookmark.objects.values_list("user_id", flat=True)) == [8]
    assert not Collection.objects.exists()
    assert not CollectionEntry.objects.exists()
