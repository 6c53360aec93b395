"""Uploaded post images: the feed's limits and sizes for the shared decoder (`shared.images`).

Each image is proven, bounded and stripped of its metadata there; what is stored here is its
re-encoding in the upload's own format (first frame only, turned upright), a thumbnail and a
BlurHash (https://blurha.sh, by the `blurhash` package).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import blurhash
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image
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
# The BlurHash is drawn from the thumbnail shrunk to at most this many pixels a side: its 4x3
# components hold no more detail than that, and the encoding (pure Python, per pixel) costs a
# few milliseconds whatever the upload's size.
BLURHASH_INPUT_SIZE = 24
BLURHASH_COMPONENTS = (4, 3)


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
    blurhash: str


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
        thumbnail = decoded.encode(
            image_format=STILL_FORMATS[decoded.format], max_side=THUMBNAIL_SIZE
        )
        return ProcessedImage(
            image=decoded.encode(), thumbnail=thumbnail, blurhash=blurhash_of(thumbnail)
        )


def blurhash_of(thumbnail: EncodedImage) -> str:
    """The BlurHash of an image, from its thumbnail (shrinking the upload itself would cost a
    large image's every pixel; the thumbnail has at most 320 a side) further shrunk to at most
    `BLURHASH_INPUT_SIZE` a side.

    The thumbnail is our own encoding, not a client's bytes, so Pillow reads it directly
    (untrusted images go through `shared.images.decode`).
    """
    with Image.open(thumbnail.content) as image:
        scale = BLURHASH_INPUT_SIZE / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        small = image.resize(size, Image.Resampling.BOX)
    thumbnail.content.seek(0)
    if small.mode != "RGB":
        # Transparent pixels count as what they cover: white, as most clients draw behind.
        background = Image.new("RGB", small.size, "white")
        background.paste(small, mask=small.convert("RGBA").getchannel("A"))
        small = background
    raw = small.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    rows = [pixels[y * small.width : (y + 1) * small.width] for y in range(small.height)]
    return blurhash.encode(rows, *BLURHASH_COMPONENTS)
