"""The contract's output shapes for follows and stats (followers are user summaries:
`authors.api.serializers.UserSummarySerializer`)."""

from rest_framework import serializers


class FollowStateSerializer(serializers.Serializer):
    """The body of a successful POST /users/{id}/follow: always `{"following": true}`."""

    following = serializers.BooleanField()


class FollowRequestedSerializer(serializers.Serializer):
    """The body of POST /users/{id}/follow for a private account while the request is pending:
    `{"following": false, "requested": true}`."""

    following = serializers.BooleanField()
    requested = serializers.BooleanField()


class StatsSerializer(serializers.Serializer):
    """GET /users/{id}/stats, from `social.selectors.user_stats`."""

    user_id = serializers.IntegerField()
    posts_count = serializers.IntegerField()
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    followed_by_me = serializers.BooleanField()
    follow_requested_by_me = serializers.BooleanField()
    blocked_by_me = serializers.BooleanField()
    muted_by_me = serializers.BooleanField()
