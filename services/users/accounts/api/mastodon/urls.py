"""The users service's part of the Mastodon-compatible API (docs/mastodon.md): the instance,
client apps and their tokens, under /mastodon/ (the gateway routes the rest elsewhere)."""

from django.urls import path, re_path

from accounts.api.mastodon import apps

urlpatterns = [
    # Mastodon.py asks for the instance with a trailing slash, as Mastodon (Rails) allows.
    re_path(r"^api/v1/instance/?$", apps.InstanceV1View.as_view(), name="mastodon-instance-v1"),
    re_path(r"^api/v2/instance/?$", apps.InstanceV2View.as_view(), name="mastodon-instance-v2"),
    path("api/v1/apps", apps.AppListView.as_view(), name="mastodon-apps"),
    path("oauth/token", apps.OAuthTokenView.as_view(), name="mastodon-oauth-token"),
    path("oauth/revoke", apps.OAuthRevokeView.as_view(), name="mastodon-oauth-revoke"),
]
