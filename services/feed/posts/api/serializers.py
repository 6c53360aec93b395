"""The contract's output shapes: Post, Comment and the user summary.

Authors are rendered from the replica (`authors.selectors.author_summaries`). Serialized as a
list (`many=True`), a whole page's authors are looked up in one query before any item is
shaped; a single object costs one query.

The Post has two renderings of one shape. `PostSerializer` declares it field by field: it is
what the API schema documents and what the write endpoints render. The hot reads (the home
timeline, a user's posts, a single post) render `posts.selectors.post_rows` with
`posts.api.rendering.render_posts` instead: JSON fragments, mostly kept ready, the same bytes
(`posts/tests/test_representations.py` holds the two equal).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import (
    DEFAULT_STORAGE_ALIAS,
    FileSystemStorage,
    default_storage,
    storages,
)
from django.db.models import Manager
from django.utils.encoding import filepath_to_uri
from rest_framework import serializers

from authors.client import UserSummary
from authors.selectors import author_summaries
from posts.models import Comment, Post, PostImage

# Context key under which the summaries of a page's users are kept while it is serialized.
SUMMARIES = "user_summaries"


def media_url(name: str) -> str:
    """The absolute URL of a stored file, as clients reach it through the gateway."""
    url = default_storage.url(name)
    if url.startswith("/"):
        url = settings.PUBLIC_BASE_URL.rstrip("/") + url
    return url


def media_urls() -> Callable[[str], str]:
    """`media_url` for rendering many files: the same URLs, with the storage consulted once.

    For the local file system storage (the one configured), a stored name's URL is the media
    base URL followed by the name, percent-encoded; resolving it with `urljoin` for every file
    cost more than the rest of a post's rendering. Names with `.` or `..` segments (which the
    services never generate) still get the storage's own resolution, as does any other storage.
    """
    if type(storages[DEFAULT_STORAGE_ALIAS]) is not FileSystemStorage:
        return media_url
    base = media_url("")

    def url(name: str) -> str:
        path = filepath_to_uri(name).lstrip("/")
        return media_url(name) if "./" in path or path.endswith(".") else base + path

    return url


def summary_for(context: dict[str, Any], user_id: int) -> UserSummary:
    """The summary of `user_id`, from the page's batch when there is one, else one query."""
    known = context.setdefault(SUMMARIES, {})
    if user_id not in known:
        known.update(author_summaries([user_id]))
    return known[user_id]


class SummarizedListSerializer(serializers.ListSerializer):
    """Looks up every user a page mentions in one query, then shapes the items."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if isinstance(data, Manager) else data)
        user_ids = {self.child.user_id_of(item) for item in items}
        known = self.context.setdefault(SUMMARIES, {})
        known.update(author_summaries(user_ids - known.keys()))
        return [self.child.to_representation(item) for item in items]


class UserSummarySerializer(serializers.Serializer):
    """The contract's user summary. The instance is a user id (an int).

    `UserSummarySerializer([like.user_id for like in page], many=True).data` renders likers,
    followers and the like in one query.
    """

    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    avatar_url = serializers.URLField(allow_null=True)

    class Meta:
        list_serializer_class = SummarizedListSerializer

    def user_id_of(self, instance: int) -> int:
        return instance

    def to_representation(self, instance: int) -> dict[str, Any]:
        return dict(summary_for(self.context, instance))


class PostImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = PostImage
        fields = ["url", "thumbnail_url", "width", "height"]

    def get_url(self, image: PostImage) -> str:
        return media_url(image.file)

    def get_thumbnail_url(self, image: PostImage) -> str:
        return media_url(image.thumbnail)


class PostSerializer(serializers.ModelSerializer):
    """The contract's Post. Expects posts from `posts.selectors.post_queryset`."""

    # (The docstring above is the schema's description.) `render_posts` renders the
    # same shape for the hot reads: keep it in step with any change here (a test compares them).

    author = serializers.SerializerMethodField()
    images = PostImageSerializer(many=True, read_only=True)
    liked_by_me = serializers.SerializerMethodField()

    class Meta:
        model = Post
        list_serializer_class = SummarizedListSerializer
        fields = [
            "id",
            "author",
            "title",
            "body",
            "images",
            "like_count",
            "comment_count",
            "liked_by_me",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def user_id_of(self, post: Post) -> int:
        return post.author_id

    def get_author(self, post: Post) -> UserSummary:
        return summary_for(self.context, post.author_id)

    def get_liked_by_me(self, post: Post) -> bool:
        return post.liked_by_me


class CommentSerializer(serializers.ModelSerializer):
    """The contract's Comment."""

    post_id = serializers.IntegerField(read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        list_serializer_class = SummarizedListSerializer
        fields = ["id", "post_id", "author", "body", "created_at"]
        read_only_fields = fields

    def user_id_of(self, comment: Comment) -> int:
        return comment.author_id

    def get_author(self, comment: Comment) -> UserSummary:
        return summary_for(self.context, comment.author_id)


class LikeStateSerializer(serializers.Serializer):
    """The answer to a like: `{liked, like_count}`."""

    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()
