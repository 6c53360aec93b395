"""The contract's user summary, as every list of users and every author renders it.

Summaries come from the replica (`authors.services.summarize_authors`). Serialized as a list
(`many=True`), a whole page's users are looked up in one query before any item is shaped; a
single object costs one query.
"""

from typing import Any

from django.db.models import Manager
from rest_framework import serializers

from authors.client import UserSummary
from authors.services import summarize_authors

# Context key under which the summaries of a page's users are kept while it is serialized.
SUMMARIES = "user_summaries"


def summary_for(context: dict[str, Any], user_id: int) -> UserSummary:
    """The summary of `user_id`, from the page's batch when there is one, else one query."""
    known = context.setdefault(SUMMARIES, {})
    if user_id not in known:
        known.update(summarize_authors([user_id]))
    return known[user_id]


class SummarizedListSerializer(serializers.ListSerializer):
    """Looks up every user a page mentions in one query, then shapes the items."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if isinstance(data, Manager) else data)
        user_ids = {self.child.user_id_of(item) for item in items}
        known = self.context.setdefault(SUMMARIES, {})
        known.update(summarize_authors(user_ids - known.keys()))
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
