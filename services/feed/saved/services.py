"""Every write to collections, and the removal of a bookmark with its collection entries.

A collection holds only bookmarked posts: putting a post in one bookmarks it in the same
transaction, and removing a bookmark takes the post out of the owner's collections with it.
"""

from django.db import IntegrityError, transaction
from psycopg2 import errorcodes
from rest_framework.exceptions import NotFound

from authors.services import lock_authors_for_writing
from posts.models import Post
from posts.services import bookmark_post, unbookmark_post
from saved.models import Collection, CollectionEntry
from shared.db import get_or_create_toggle, violates


def create_collection(*, owner_id: int, name: str) -> Collection:
    with transaction.atomic():
        lock_authors_for_writing(writer_id=owner_id)
        return Collection.objects.create(owner_id=owner_id, name=name)


def rename_collection(*, collection: Collection, name: str) -> Collection:
    collection.name = name
    # A collection deleted meanwhile updates no row: it is gone, as a 404 says.
    if not Collection.objects.filter(pk=collection.pk).update(name=name):
        raise NotFound("No collection with that id.")
    return collection


def delete_collection(*, collection: Collection) -> None:
    """Delete the collection and its entries; the bookmarks stay."""
    Collection.objects.filter(pk=collection.pk).delete()


def add_to_collection(*, collection: Collection, post: Post) -> None:
    """Put `post` in the owner's `collection` and bookmark it; idempotent under concurrency
    (the unique (collection, post) constraint, as for bookmarks). `NotFound` when the post or
    the collection was deleted meanwhile: the foreign keys refuse the rows at commit."""
    try:
        with transaction.atomic():
            bookmark_post(user_id=collection.owner_id, post=post)
            get_or_create_toggle(
                CollectionEntry.objects, collection_id=collection.pk, post_id=post.pk
            )
    except IntegrityError as error:
        if violates(error, errorcodes.FOREIGN_KEY_VIOLATION):
            raise NotFound("No such collection or post.") from None
        raise


def remove_from_collection(*, collection: Collection, post_id: int) -> None:
    """Take the post out of the collection if it is there (idempotent); the bookmark stays."""
    CollectionEntry.objects.filter(collection_id=collection.pk, post_id=post_id).delete()


def remove_bookmark(*, user_id: int, post_id: int) -> None:
    """Remove the user's bookmark of the post and the post from their collections."""
    with transaction.atomic():
        unbookmark_post(user_id=user_id, post_id=post_id)
        CollectionEntry.objects.filter(collection__owner_id=user_id, post_id=post_id).delete()


def forget_user_collections(*, user_id: int) -> None:
    """Delete every collection of a deleted account (their bookmarks go with their content)."""
    Collection.objects.filter(owner_id=user_id).delete()
