"""The contract's output shapes: a notification, a group of them, the settings, the count."""

from rest_framework import serializers

from notifications.models import NotificationType
from notifications.selectors import SETTINGS_FIELDS


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=NotificationType.choices)
    actor = UserSummarySerializer()
    post_id = serializers.IntegerField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()


class NotificationGroupSerializer(serializers.Serializer):
    """Likes of one post, likes of one comment, or follows of one UTC day; any other
    notification is a group of one. `id` is the newest notification's, `read` whether all are."""

    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=NotificationType.choices)
    post_id = serializers.IntegerField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)
    actors = UserSummarySerializer(many=True, help_text="The newest three actors.")
    actor_count = serializers.IntegerField()
    latest_at = serializers.DateTimeField()
    read = serializers.BooleanField()


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class NotificationSettingsSerializer(serializers.Serializer):
    """One switch per type; every one is on until its user turns it off."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: serializers.BooleanField(required=False) for name in SETTINGS_FIELDS}
