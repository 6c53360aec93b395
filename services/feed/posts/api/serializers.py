"""The contract's output shapes of posts: Post, Comment and the answer to a like.

Authors are user summaries (`authors.api.serializers`), read with the rows that name them; the
renderers look up the ones the replica lacked in one batch per page.

The Post has one declaration, `PostSerializer`, and one rendering: every endpoint that returns
posts (create, update, a single post, a user's posts, the timeline) renders
`posts.selectors.post_rows` with `posts.api.rendering.render_posts`, which draws its JSON from
the serializer's fields, mostly kept ready. The Comment likewise: `CommentSerializer`, rendered
from `posts.selectors.comment_rows` by `posts.api.rendering.render_comments`. The API schema is
drawn from the same fields.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from authors.api.serializers import UserSummarySerializer
from authors.client import UserSummary
from posts.api.media import media_urls
from posts.models import Comment, Post, PostImage
from posts.selectors import CommentRow, PostRow, StoredImage


class PostImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = PostImage
        fields = ["id", "url", "thumbnail_url", "width", "height", "alt_text", "blurhash"]
        read_only_fields = fields

    def get_url(self, image: StoredImage) -> str:
        return media_urls()(image.file)

    def get_thumbnail_url(self, image: StoredImage) -> str:
        return media_urls()(image.thumbnail)


class PostSerializer(serializers.ModelSerializer):
    """The contract's Post. Expects posts from `posts.selectors.post_queryset`."""

    # The docstring above is the published schema's description (docs/openapi/feed.yaml), kept
    # word for word. The one declaration of the Post: `posts.api.rendering.render_posts`
    # renders every post the API returns from these fields, in this order, and the schema is
    # drawn from them. A post's data is a `posts.selectors.PostRow` (read every time) and a
    # `PostContent` (what `Meta.kept_fields` shows): a new field is declared here and read by
    # the selector that reads its side (the renderer refuses a field neither carries).

    author = serializers.SerializerMethodField()
    images = PostImageSerializer(many=True, read_only=True)
    hashtags = serializers.ListField(child=serializers.CharField(), read_only=True)
    mentions = serializers.SerializerMethodField()
    # Null for everyone but the author when the post hides it (`hide_like_count`).
    like_count = serializers.IntegerField(allow_null=True)
    liked_by_me = serializers.SerializerMethodField()
    bookmarked_by_me = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "author",
            "title",
            "body",
            "images",
            "hashtags",
            "mentions",
            "like_count",
            "comment_count",
            "liked_by_me",
            "bookmarked_by_me",
            "comments_disabled",
            "hide_like_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        # What only an edit changes (an edit moves `updated_at`), from the post's `PostContent`:
        # rendered once per (id, updated_at) and kept. The other fields come from its `PostRow`,
        # read with every request.
        kept_fields = [
            "title",
            "body",
            "images",
            "hashtags",
            "comments_disabled",
            "hide_like_count",
            "created_at",
            "updated_at",
        ]

    def get_author(self, post: PostRow) -> UserSummary:
        # `render_posts` fills in the authors the replica did not hold, in one batch.
        return post.author

    @extend_schema_field(UserSummarySerializer(many=True))
    def get_mentions(self, post: PostRow) -> list[UserSummary]:
        return post.mentions

    def get_liked_by_me(self, post: PostRow) -> bool:
        return post.liked_by_me

    def get_bookmarked_by_me(self, post: PostRow) -> bool:
        return post.bookmarked_by_me


class CommentSerializer(serializers.ModelSerializer):
    """The contract's Comment."""

    # The one declaration of the Comment: `posts.api.rendering.render_comments` renders every
    # comment the API returns from these fields, in this order, from a
    # `posts.selectors.CommentRow` (a new field is read there first), and the schema is drawn
    # from them.

    post_id = serializers.IntegerField(read_only=True)
    author = serializers.SerializerMethodField()
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    liked_by_me = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "post_id",
            "author",
            "body",
            "parent_id",
            "reply_count",
            "like_count",
            "liked_by_me",
            "created_at",
        ]
        read_only_fields = fields

    def get_author(self, comment: CommentRow) -> UserSummary:
        # `render_comments` fills in the authors the replica did not hold, in one batch.
        return comment.author

    def get_liked_by_me(self, comment: CommentRow) -> bool:
        return comment.liked_by_me


class LikeStateSerializer(serializers.Serializer):
    """The answer to a like: `{liked, like_count}` (null where the post hides its count)."""

    liked = serializers.BooleanField()
    like_count = serializers.IntegerField(allow_null=True)
