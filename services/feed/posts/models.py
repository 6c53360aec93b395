"""Posts and what hangs off them: images (1:N), likes and bookmarks (user-post M:Ns),
comments, and hashtags (`Tag`, and the post-tag M:N `PostTag`)."""

import math

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

TITLE_MAX_LENGTH = 1000
BODY_MAX_LENGTH = 2200
MAX_IMAGES_PER_POST = 10
ALT_TEXT_MAX_LENGTH = 1000
# The longest hashtag, without its `#` (posts.text has the rule).
TAG_MAX_LENGTH = 100

# Explore's rank of a post (`discovery.selectors`, docs/discovery.md): its engagement (likes,
# and comments counted twice) halving with every EXPLORE_HALF_LIFE of its age. As
# `(1 + likes + 2 * comments) * 2 ** (-age / half_life)` it would change every second; its
# logarithm plus `(now - epoch) / tau`, the same for every post at any moment, orders posts
# the same and does not change with time: `ln(1 + likes + 2 * comments) + (created_at - epoch)
# / tau`, tau = half_life / ln 2. So it is an index (`posts_explore_rank`) that Postgres keeps
# as the counters change, and a page of explore is a range of it. `{post}` is the table's
# alias and a dot, or nothing (the index).
EXPLORE_HALF_LIFE_HOURS = 24
EXPLORE_SCORE_SQL = (
    "(ln(1 + {post}like_count + 2 * {post}comment_count)"
    " + extract(epoch FROM {post}created_at - TIMESTAMPTZ '2026-01-01 00:00:00+00')"
    f" / {EXPLORE_HALF_LIFE_HOURS * 3600 / math.log(2):.1f})"
)
# What post search (`posts.selectors.search_post_rows`) matches: the words of the title and
# body in the `simple` configuration (no stemming, no stop words: every language alike), and
# the same text for trigram similarity (pg_trgm).
SEARCH_DOCUMENT_SQL = "({post}title || ' ' || {post}body)"
SEARCH_VECTOR_SQL = f"to_tsvector('simple'::regconfig, {SEARCH_DOCUMENT_SQL})"


def _expression(template: str) -> RawSQL:
    """One of the expressions above on the posts table itself, for an index."""
    return RawSQL(template.format(post=""), ())  # noqa: S611 - this module's constants only


class Post(models.Model):
    # The author is a user of the users service, known here only by id (see authors.Author).
    author_id = models.BigIntegerField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(max_length=BODY_MAX_LENGTH, blank=True)
    # Stored counters, changed with F() in the same transaction as the like or comment row.
    like_count = models.IntegerField(default=0)
    comment_count = models.IntegerField(default=0)
    # The users its title and body mention (`@username`s that exist, posts.text has the rule),
    # in order of first appearance, at most posts.text.MAX_MENTIONS: rendered with every read
    # from the author replica, so a mention shows the user's current name.
    mentioned_user_ids = ArrayField(
        models.BigIntegerField(), default=list, db_default=[], blank=True
    )
    # The author's controls: nobody may comment (a 403), and only the author sees like_count.
    comments_disabled = models.BooleanField(default=False, db_default=False)
    hide_like_count = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # GET /users/{id}/posts and the home timeline's per-author merge: WHERE author_id =
            # ... AND (created_at, id) < cursor ORDER BY created_at DESC, id DESC LIMIT n.
            # Also serves deleting a user's posts (author_id prefix).
            models.Index(
                "author_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="posts_author_recent",
            ),
            # GET /explore/posts: WHERE (score, id) < cursor AND created_at > now() - window
            # ORDER BY score DESC, id DESC LIMIT n, the score as EXPLORE_SCORE_SQL says.
            models.Index(
                _expression(EXPLORE_SCORE_SQL).desc(),
                models.F("id").desc(),
                name="posts_explore_rank",
            ),
            # GET /posts?search=: the words (WHERE vector @@ query) and the trigrams (WHERE
            # query <% document) of title and body.
            GinIndex(_expression(SEARCH_VECTOR_SQL), name="posts_search_words"),
            GinIndex(
                OpClass(_expression(SEARCH_DOCUMENT_SQL), name="gin_trgm_ops"),
                name="posts_search_trigrams",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(like_count__gte=0), name="posts_like_count_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(comment_count__gte=0), name="posts_comment_count_not_negative"
            ),
            # TextField's max_length is only a form hint; the database enforces the contract.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH),
                name="posts_body_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"


class PostImage(models.Model):
    """One image of a post, stored re-encoded under a generated name, plus its thumbnail."""

    # No index of its own: the composite indexes below start with post_id.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images", db_index=False)
    # 0-based order in which the client uploaded the images.
    position = models.PositiveSmallIntegerField()
    # Storage names (relative to MEDIA_ROOT), generated by posts.images, never the client's.
    file = models.CharField(max_length=255)
    thumbnail = models.CharField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # The description a screen reader reads; the author may change it after posting.
    alt_text = models.CharField(
        max_length=ALT_TEXT_MAX_LENGTH, blank=True, default="", db_default=""
    )
    # A BlurHash of the image (https://blurha.sh), computed at upload: a placeholder a client
    # draws before the image arrives. Empty for images stored before it existed.
    blurhash = models.CharField(max_length=100, blank=True, default="", db_default="")

    class Meta:
        ordering = ["post_id", "position"]
        constraints = [
            # Also the index behind prefetching a page's images: WHERE post_id IN (...)
            # ORDER BY position.
            models.UniqueConstraint("post", "position", name="post_images_unique_position"),
            models.CheckConstraint(
                condition=models.Q(position__lt=MAX_IMAGES_PER_POST),
                name="post_images_position_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Image {self.position} of post {self.post_id}"


class Like(models.Model):
    # No index of its own: the composite indexes below start with post_id.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes", db_index=False)
    user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One like per user and post, whatever the concurrency (like_post relies on it).
            # Its index also serves liked_by_me: EXISTS (... WHERE post_id = ? AND user_id = ?).
            models.UniqueConstraint("post", "user_id", name="likes_unique_post_user"),
        ]
        indexes = [
            # GET /posts/{id}/likes: WHERE post_id = ? AND (created_at, id) < cursor
            # ORDER BY created_at DESC, id DESC.
            models.Index(
                "post",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="likes_post_recent",
            ),
            # Deleting an account's likes (and fixing the counters they fed): WHERE user_id = ?.
            models.Index("user_id", name="likes_user"),
        ]

    def __str__(self) -> str:
        return f"Like by {self.user_id} on post {self.post_id}"


class Bookmark(models.Model):
    """`user_id` saved `post`. Beside `Like` because the Post shape reads it the same way
    (`bookmarked_by_me`); the lists of bookmarks and the collections are the `saved` app's."""

    # No index of its own: the unique constraint below starts with post_id.
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="bookmarks", db_index=False
    )
    user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One bookmark per user and post, whatever the concurrency (bookmark_post relies on
            # it). Its index also serves bookmarked_by_me (WHERE post_id = ? AND user_id = ?).
            models.UniqueConstraint("post", "user_id", name="bookmarks_unique_post_user"),
        ]
        indexes = [
            # GET /bookmarks: WHERE user_id = ? AND (created_at, id) < cursor ORDER BY
            # created_at DESC, id DESC. Also deleting an account's bookmarks (user_id prefix).
            models.Index(
                "user_id",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="bookmarks_user_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"Bookmark by {self.user_id} of post {self.post_id}"


class Comment(models.Model):
    # No index of its own: the composite indexes below start with post_id.
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    # The top-level comment this one replies to; NULL for a top-level comment. One level only
    # (as on Instagram): a reply to a reply is filed under that reply's top-level comment
    # (posts.services.add_comment), so a parent never has a parent. No index of its own:
    # comments_replies_oldest starts with it.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        db_index=False,
    )
    author_id = models.BigIntegerField()
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    # The users its body mentions, as for a post's.
    mentioned_user_ids = ArrayField(
        models.BigIntegerField(), default=list, db_default=[], blank=True
    )
    # Stored counters, changed with F() in the same transaction as the reply or like row.
    reply_count = models.IntegerField(default=0, db_default=0)
    like_count = models.IntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Deleting a post's comments (WHERE post_id = ...) and recounting comment_count.
            models.Index("post", "created_at", "id", name="comments_post_oldest"),
            # GET /posts/{id}/comments, top-level comments oldest first: WHERE post_id = ? AND
            # parent_id IS NULL AND (created_at, id) > cursor ORDER BY created_at, id.
            models.Index(
                "post",
                "created_at",
                "id",
                name="comments_top_level_oldest",
                condition=models.Q(parent__isnull=True),
            ),
            # GET /comments/{id}/replies, oldest first: WHERE parent_id = ? AND (created_at, id)
            # > cursor ORDER BY created_at, id. Also deleting a comment's replies.
            models.Index("parent", "created_at", "id", name="comments_replies_oldest"),
            # Deleting an account's comments: WHERE author_id = ?.
            models.Index("author_id", name="comments_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reply_count__gte=0), name="comments_reply_count_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(like_count__gte=0), name="comments_like_count_not_negative"
            ),
            # TextField's max_length is only a form hint; the database enforces the contract.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH),
                name="comments_body_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on post {self.post_id}"


class CommentLike(models.Model):
    # No index of its own: the unique constraint below starts with comment_id.
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="likes", db_index=False
    )
    user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One like per user and comment, whatever the concurrency (like_comment relies on
            # it). Its index also serves liked_by_me (WHERE comment_id = ? AND user_id = ?) and
            # deleting a comment's likes.
            models.UniqueConstraint("comment", "user_id", name="comment_likes_unique_pair"),
        ]
        indexes = [
            # Deleting an account's comment likes (and fixing the counters they fed).
            models.Index("user_id", name="comment_likes_user"),
        ]

    def __str__(self) -> str:
        return f"Like by {self.user_id} on comment {self.comment_id}"


class Tag(models.Model):
    """A hashtag, stored once, with how many posts carry it.

    For readers of tags (tag pages, trending tags, search), the API of these two models:

    - `Tag.name` is the tag as `posts.text.tag_name` normalises it (lower-case NFC, no `#`),
      unique; a name from a URL goes through `tag_name` before a lookup (None: not a valid
      name, a 400). A tag never used has no row (its count is 0); a tag whose posts are all
      gone keeps its row with `post_count` 0.
    - `Tag.post_count` is the number of posts that carry it now, changed with F() in the
      transaction that adds or removes a `PostTag` (`posts.services`), checked by
      `manage.py check_counters`.
    - `PostTag` is one (post, tag) pair, unique, with the post's `created_at` copied in, so
      "posts with tag T, newest first" is one index range (`post_tags_tag_recent`):
      `PostTag.objects.filter(tag_id=T).filter(keyset on (created_at, post_id))
      .order_by("-created_at", "-post_id")`, then the Post shape through
      `posts.selectors.post_rows_statement` with those post ids (as `user_post_rows` does).
      `created_at` is the post's and never changes; the rows go with their post (CASCADE, the
      counters fixed by `posts.services`).
    - `PostTag.position` is the tag's place among the post's tags (0-based, order of first
      appearance), which the Post's `hashtags` follow.
    """

    name = models.CharField(max_length=TAG_MAX_LENGTH, unique=True)
    post_count = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post_count__gte=0), name="tags_post_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.name}"


class PostTag(models.Model):
    """A hashtag of a post (see `Tag` for how to read them)."""

    # No index of its own: post_tags_unique_post_tag starts with post_id.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tags", db_index=False)
    # No index of its own: post_tags_tag_recent starts with tag_id. Tags are never deleted.
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="posts", db_index=False)
    position = models.PositiveSmallIntegerField()
    # The post's created_at (which never changes), so that tag pages read this table alone.
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One row per tag of a post; its index serves rendering a post's hashtags and
            # removing them (WHERE post_id = ...).
            models.UniqueConstraint("post", "tag", name="post_tags_unique_post_tag"),
        ]
        indexes = [
            # Tag pages, newest first: WHERE tag_id = ? AND (created_at, post_id) < cursor
            # ORDER BY created_at DESC, post_id DESC LIMIT n, read from the index alone.
            models.Index(
                "tag",
                models.F("created_at").desc(),
                models.F("post").desc(),
                name="post_tags_tag_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"Tag {self.tag_id} of post {self.post_id}"
