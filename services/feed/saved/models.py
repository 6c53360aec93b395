"""Collections: named sets of the posts a user bookmarked, private to that user.

The bookmark itself (`posts.models.Bookmark`) lives beside `Like`, since the Post shape reads
it as it reads likes (`bookmarked_by_me`); putting a post in a collection bookmarks it too.
"""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual

from posts.models import Post

COLLECTION_NAME_MAX_LENGTH = 100


class Collection(models.Model):
    # A user of the users service, known by id (see authors.Author).
    owner_id = models.BigIntegerField()
    name = models.CharField(max_length=COLLECTION_NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # GET /collections: WHERE owner_id = ? AND (created_at, id) < cursor ORDER BY
            # created_at DESC, id DESC. Also deleting an account's collections.
            models.Index(
                "owner_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="collections_owner_recent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("name"), 1), name="collections_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Collection {self.pk} of {self.owner_id}"


class CollectionEntry(models.Model):
    """`post` is in `collection`; deleting either removes the entry."""

    # No index of its own: the composite indexes below start with collection_id.
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", db_index=False)
    # When the post was added: the collection's posts are listed newest added first.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "collection entries"
        constraints = [
            # A post is in a collection once, whatever the concurrency (add_to_collection
            # relies on it). Its index also serves counting a collection's posts.
            models.UniqueConstraint("collection", "post", name="collection_entries_unique"),
        ]
        indexes = [
            # GET /collections/{id}/posts: WHERE collection_id = ? AND (created_at, id) < cursor
            # ORDER BY created_at DESC, id DESC.
            models.Index(
                "collection",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="collection_entries_recent",
            ),
            # Deleting a post's entries (the cascade), and an unbookmark's.
            models.Index("post", name="collection_entries_post"),
        ]

    def __str__(self) -> str:
        return f"Post {self.post_id} in collection {self.collection_id}"
