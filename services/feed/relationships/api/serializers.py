"""The contract's output shapes for blocks and mutes (the lists are user summaries:
`authors.api.serializers.UserSummarySerializer`)."""

from rest_framework import serializers


class BlockStateSerializer(serializers.Serializer):
    """The body of a successful POST /users/{id}/block: always `{"blocking": true}`."""

    blocking = serializers.BooleanField()


class MuteStateSerializer(serializers.Serializer):
    """The body of a successful POST /users/{id}/mute: always `{"muting": true}`."""

    muting = serializers.BooleanField()
