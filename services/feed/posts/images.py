"""Uploaded post images: the feed's limits and sizes for the shared decoder (`shared.images`).

Each image is proven, bounded and stripped of its metadata there; what is stored here is its
re-encoding in the upload's own format (first frame only, turned upright) and a thumbnail.
"""

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from rest_framework import serializers

from shared.images import STILL_FORMATS, EncodedImage, ImageLimits, UnacceptableImage, decode

LIMITS = ImageLimits(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000)
THUMBNAIL_SIZE = 320

MESSAGES = {
    "invalid_image": "Upload a valid JPEG, PNG, GIF or WebP image.",
    "too_large": f"Each image must be at most {LIMITS.max_bytes // (1024 * 1024)} MiB.",
    "too_many_pixels": f"Each image must be at most {LIMITS.max_pixels // 1_000_000} megapixels.",
}


@dataclass
class ProcessedImage:
    """A cleaned image and its thumbnail, ready to be stored."""

    image: EncodedImage
    thumbnail: EncodedImage


def process_image(upload: UploadedFile) -> ProcessedImage:
    """Validate `upload` and return it cleaned and thumbnailed; `ValidationError` if unfit."""
    try:
        decoded = decode(upload, limits=LIMITS)
    except UnacceptableImage as refused:
        raise serializers.ValidationError(MESSAGES[refused.code], code=refused.code) from None
    with decoded:
        return ProcessedImage(
            image=decoded.encode(),
            thumbnail=decoded.encode(
                image_format=STILL_FORMATS[decoded.format], max_side=THUMBNAIL_SIZE
            ),
        )
