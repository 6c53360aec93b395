"""The contract's output shapes for accounts: public and private profiles."""

from rest_framework import serializers

from accounts.models import User


class PublicProfileSerializer(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "bio", "website", "avatar_url", "date_joined"]

    def get_avatar_url(self, user: User) -> str | None:
        if not user.avatar:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(user.avatar.url) if request else user.avatar.url


class PrivateProfileSerializer(PublicProfileSerializer):
    class Meta(PublicProfileSerializer.Meta):
        fields = [*PublicProfileSerializer.Meta.fields, "email"]
