"""The contract's output shapes for accounts: public and private profiles, user summaries."""

from rest_framework import serializers

from accounts.avatars import avatar_url
from accounts.models import Session, User


class AvatarUrlMixin(serializers.Serializer):
    avatar_url = serializers.SerializerMethodField()

    def get_avatar_url(self, user: User) -> str | None:
        return avatar_url(user.avatar.name)


class PublicProfileSerializer(AvatarUrlMixin, serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "bio",
            "website",
            "avatar_url",
            "date_joined",
            "is_private",
        ]


class PrivateProfileSerializer(PublicProfileSerializer):
    class Meta(PublicProfileSerializer.Meta):
        fields = [*PublicProfileSerializer.Meta.fields, "email", "email_verified"]


class SessionSerializer(serializers.ModelSerializer):
    """One sign-in; `current` when the caller's access token belongs to it (its `sid`)."""

    current = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["id", "created_at", "last_used_at", "user_agent", "ip", "current"]

    def get_current(self, session: Session) -> bool:
        return session.pk == self.context.get("current_session_id")


class DetailSerializer(serializers.Serializer):
    """`{detail}`: an acknowledgement in words."""

    detail = serializers.CharField()


class TokenPairSerializer(serializers.Serializer):
    """`{access, refresh}`: what the token and refresh endpoints answer."""

    access = serializers.CharField()
    refresh = serializers.CharField()


class UserSummarySerializer(AvatarUrlMixin, serializers.ModelSerializer):
    """`{id, username, avatar_url}`: what the feed service renders an author with."""

    class Meta:
        model = User
        fields = ["id", "username", "avatar_url"]
