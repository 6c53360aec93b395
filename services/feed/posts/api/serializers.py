"""The contract's output shapes of posts: Post, Comment and the answer to a like.

Authors are user summaries (`authors.api.serializers`): serialized as a list (`many=True`), a
whole page's authors are looked up in one query before any item is shaped.

The Post has two renderings of one shape. `PostSerializer` declares it field by field: it is
what the API schema documents and what the write endpoints render. The hot reads (the home
timeline, a user's posts, a single post) render `posts.selectors.post_rows` with
`posts.api.rendering.render_posts` instead: JSON fragments, mostly kept ready, the same bytes
(`posts/tests/test_representations.py` holds the two equal).
"""

from rest_framework import serializers

from authors.api.serializers import SummarizedListSerializer, summary_for
from authors.client import UserSummary
from posts.api.media import media_url
from posts.models import Comment, Post, PostImage


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
