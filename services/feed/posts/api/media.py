"""The URLs clients reach stored files at (post images and thumbnails), through the gateway."""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import (
    DEFAULT_STORAGE_ALIAS,
    FileSystemStorage,
    default_storage,
    storages,
)
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.encoding import filepath_to_uri


def media_url(name: str) -> str:
    """The absolute URL of a stored file, as clients reach it through the gateway."""
    url = default_storage.url(name)
    if url.startswith("/"):
        url = settings.PUBLIC_BASE_URL.rstrip("/") + url
    return url


@functools.cache
def media_urls() -> Callable[[str], str]:
    """`media_url` for rendering many files: the same URLs, with the storage consulted once
    (and again only when a setting it depends on changes, as tests change them).

    For the local file system storage (the one configured), a stored name's URL is the media
    base URL followed by the name, percent-encoded; resolving it with `urljoin` for every file
    cost more than the rest of a post's rendering. Names with `.` or `..` segments (which the
    services never generate) still get the storage's own resolution, as does any other storage.
    """
    if type(storages[DEFAULT_STORAGE_ALIAS]) is not FileSystemStorage:
        return media_url
    base = media_url("")

    def url(name: str) -> str:
        path = filepath_to_uri(name).lstrip("/")
        return media_url(name) if "./" in path or path.endswith(".") else base + path

    return url


@receiver(setting_changed)
def _forget_media_urls(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STORAGES", "MEDIA_URL", "PUBLIC_BASE_URL"}:
        media_urls.cache_clear()
