"""Uploaded post images: the feed's limits and sizes for the shared decoder (`shared.images`).

Each image is proven, bounded and stripped of its metadata there; what is stored here is its
re-encoding in the upload's own format (first frame only, turned upright) and a thumbnail.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from rest_framework import serializers

from shared.images import (
    STILL_FORMATS,
    EncodedImage,
    ImageLimits,
    PixelBudget,
    UnacceptableImage,
    decode,
    measure,
)
from shared.slots import work_slot

MAX_BYTES = 10 * 1024 * 1024
MAX_ASPECT_RATIO = 20
THUMBNAIL_SIZE = 320


def limits() -> ImageLimits:
    """One image's caps: 10 MiB, `POST_IMAGE_MAX_PIXELS`, at most 20 times longer than wide."""
    return ImageLimits(
        max_bytes=MAX_BYTES,
        max_pixels=settings.POST_IMAGE_MAX_PIXELS,
        max_aspect_ratio=MAX_ASPECT_RATIO,
    )


def message(code: str) -> str:
    return {
        "invalid_image": "Upload a valid JPEG, PNG, GIF or WebP image.",
        "too_large": f"Each image must be at most {MAX_BYTES // (1024 * 1024)} MiB.",
        "too_many_pixels": (
            f"Each image must be at most {settings.POST_IMAGE_MAX_PIXELS / 1_000_000:g} megapixels."
        ),
        "too_elongated": (
            f"An image may be at most {MAX_ASPECT_RATIO} times longer than it is wide."
        ),
        "over_pixel_budget": (
            "The images of one post may have at most "
            f"{settings.POST_IMAGE_PIXEL_BUDGET / 1_000_000:g} megapixels together."
        ),
    }[code]


@dataclass
class ProcessedImage:
    """A cleaned image and its thumbnail, ready to be stored."""

    image: EncodedImage
    thumbnail: EncodedImage


@contextmanager
def image_work() -> Iterator[None]:
    """Hold one of the instance's image slots (`IMAGE_WORK_SLOTS`); `shared.slots.Busy` (503)
    when every slot stays taken past `IMAGE_WORK_WAIT_SECONDS`."""
    with work_slot(
        "images",
        slots=settings.IMAGE_WORK_SLOTS,
        wait_seconds=settings.IMAGE_WORK_WAIT_SECONDS,
    ):
        yield


def process_images(uploads: Iterable[UploadedFile]) -> list[ProcessedImage]:
    """Validate and clean every upload of one request; `ValidationError` listing each unfit
    image by its position (1-based).

    Every header is read first, against each image's caps and the request's pixel budget
    (`POST_IMAGE_PIXEL_BUDGET`): a request that is refused costs no decoding. Then the images
    are decoded under one of the instance's image slots (`shared.slots.Busy`, a 503, when none
    is free).
    """
    uploads = list(uploads)
    budget = PixelBudget(settings.POST_IMAGE_PIXEL_BUDGET)
    errors = []
    for number, upload in enumerate(uploads, start=1):
        try:
            measure(upload, limits=limits(), budget=budget)
        except UnacceptableImage as refused:
            errors.append(f"Image {number}: {message(refused.code)}")
    if errors:
        raise serializers.ValidationError(errors)
    processed = []
    with image_work():
        for number, upload in enumerate(uploads, start=1):
            try:
                processed.append(process_image(upload))
            except serializers.ValidationError as exc:
                errors += [f"Image {number}: {text}" for text in exc.detail]
    if errors:
        raise serializers.ValidationError(errors)
    return processed


def process_image(upload: UploadedFile) -> ProcessedImage:
    """Validate `upload` and return it cleaned and thumbnailed; `ValidationError` if unfit."""
    try:
        decoded = decode(upload, limits=limits())
    except UnacceptableImage as refused:
        raise serializers.ValidationError(message(refused.code), code=refused.code) from None
    with decoded:
        return ProcessedImage(
            image=decoded.encode(),
            thumbnail=decoded.encode(
                image_format=STILL_FORMATS[decoded.format], max_side=THUMBNAIL_SIZE
            ),
        )
