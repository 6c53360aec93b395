from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class PostsConfig(AppConfig):
    name = "posts"

    def ready(self) -> None:
        checks.register(check_profanity_word_lists)


def check_profanity_word_lists(**kwargs: Any) -> list[checks.CheckMessage]:
    """Fail at start-up, not on the first post, when a configured word list cannot be read."""
    from posts.profanity import profanity_filter

    try:
        profanity_filter()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="posts.E001")]
    return []
