"""The contract's output shapes of discovery: a tag and a suggested account."""

from typing import Any

from rest_framework import serializers

from authors.api.serializers import SummarizedListSerializer, summary_for


class TagSerializer(serializers.Serializer):
    """`{name, post_count}`: a tag page's head, and each trending tag."""

    name = serializers.CharField()
    post_count = serializers.IntegerField()


class TrendingTagsSerializer(serializers.Serializer):
    """`{results: [tag]}`: GET /explore/tags is one short list, not a page."""

    results = TagSerializer(many=True)


class SuggestionSerializer(serializers.Serializer):
    """A user summary with `mutual_count`: how many of the caller's followees follow them."""

    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    avatar_url = serializers.URLField(allow_null=True)
    mutual_count = serializers.IntegerField()

    class Meta:
        list_serializer_class = SummarizedListSerializer

    def user_id_of(self, suggestion: dict[str, Any]) -> int:
        return suggestion["id"]

    def to_representation(self, suggestion: dict[str, Any]) -> dict[str, Any]:
        return {
            **summary_for(self.context, suggestion["id"]),
            "mutual_count": suggestion["mutual_count"],
        }
