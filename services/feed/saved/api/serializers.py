"""The contract's output shapes of saved posts: a collection and the answer to a bookmark."""

from rest_framework import serializers

from saved.models import Collection


class CollectionSerializer(serializers.ModelSerializer):
    """The contract's collection. Expects collections from `saved.selectors.collections_of`."""

    post_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Collection
        fields = ["id", "name", "post_count", "created_at"]
        read_only_fields = fields


class BookmarkStateSerializer(serializers.Serializer):
    """The answer to a bookmark: `{bookmarked}`."""

    bookmarked = serializers.BooleanField()
