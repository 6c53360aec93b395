from django.apps import AppConfig


class MastodonApiConfig(AppConfig):
    name = "mastodon_api"
