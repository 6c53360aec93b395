"""The contract's output shapes for posts."""

from rest_framework import serializers

from posts.models import Post


class PostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = [
            "id",
            "author_id",
            "title",
            "body",
            "like_count",
            "comment_count",
            "created_at",
            "updated_at",
        ]
