"""Input fields the posts API's serializers share."""

from typing import Any

from rest_framework import serializers

from posts.images import ProcessedImage, process_images
from posts.models import (
    ALT_TEXT_MAX_LENGTH,
    BODY_MAX_LENGTH,
    MAX_IMAGES_PER_POST,
    TITLE_MAX_LENGTH,
)
from posts.profanity import validate_no_profanity


def title_field(**kwargs: Any) -> serializers.CharField:
    # DRF's CharField already refuses NUL bytes and lone surrogates (a 400, not Postgres' 500).
    return serializers.CharField(
        max_length=TITLE_MAX_LENGTH, allow_blank=True, validators=[validate_no_profanity], **kwargs
    )


def body_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=BODY_MAX_LENGTH, validators=[validate_no_profanity], **kwargs
    )


class ImagesField(serializers.ListField):
    """0-10 uploaded files under one repeated multipart field, each decoded and cleaned.

    The count is checked before any file is decoded; errors name the image by its position.
    """

    child = serializers.FileField(allow_empty_file=False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=MAX_IMAGES_PER_POST, **kwargs)

    def to_internal_value(self, data: Any) -> list[ProcessedImage]:
        if isinstance(data, list | tuple) and len(data) > MAX_IMAGES_PER_POST:
            self.fail("max_length", max_length=MAX_IMAGES_PER_POST)
        uploads = super().to_internal_value(data)
        return process_images(uploads) if uploads else []


def alt_text_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=ALT_TEXT_MAX_LENGTH, allow_blank=True, **kwargs)


class AltTextsField(serializers.ListField):
    """The images' alt texts in the order of `images`: a repeated multipart field (or a JSON
    list), at most one per image."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=alt_text_field(), max_length=MAX_IMAGES_PER_POST, **kwargs)


class ControlField(serializers.BooleanField):
    """A post's switch (`comments_disabled`, `hide_like_count`). Left out of a form, it is left
    out, as in JSON: DRF would read a missing form checkbox as false, and a PUT without the
    switch leaves it as it is."""

    default_empty_html = serializers.empty
