"""Uploaded images: prove, bound, clean and thumbnail them before anything is stored.

Each upload is checked in this order, cheapest first, so that hostile files cost little:
its size in bytes; its header (opened with only the allowed formats' decoders) for the pixel
count; only then are the pixels decoded. Pillow's own decompression-bomb guard is set to the
same limit and its warning is an error here, so no path decodes more than `MAX_IMAGE_PIXELS`.
What is stored is a re-encoding of the pixels (first frame only) with no EXIF, XMP, GPS or
comments, turned upright per its EXIF orientation, plus a thumbnail.
"""

import tempfile
import warnings
from dataclasses import dataclass
from typing import IO

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError
from rest_framework import serializers

ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
THUMBNAIL_SIZE = 320

# Pillow warns past this many pixels and refuses twice as many; the warning is an error below.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

# Stored format and file extension per input format; thumbnails keep transparency as PNG.
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_THUMBNAIL_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "PNG", "WEBP": "WEBP"}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "GIF": {},
    "WEBP": {"quality": 90},
}
# Files smaller than this stay in memory while waiting to be stored; bigger ones spill to disk.
_SPOOL_BYTES = 1024 * 1024

INVALID = "Upload a valid JPEG, PNG, GIF or WebP image."
TOO_LARGE = f"Each image must be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MiB."
TOO_MANY_PIXELS = f"Each image must be at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels."


@dataclass
class EncodedImage:
    content: IO[bytes]
    extension: str
    width: int
    height: int


@dataclass
class ProcessedImage:
    """A cleaned image and its thumbnail, ready to be stored."""

    image: EncodedImage
    thumbnail: EncodedImage


def _encode(image: Image.Image, image_format: str, icc_profile: bytes | None) -> EncodedImage:
    buffer = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned
    options = dict(_SAVE_OPTIONS[image_format])
    if icc_profile:
        # Colour profiles carry nothing personal and keep wide-gamut photos' colours right.
        options["icc_profile"] = icc_profile
    image.save(buffer, format=image_format, **options)
    buffer.seek(0)
    return EncodedImage(
        content=buffer,
        extension=_EXTENSIONS[image_format],
        width=image.width,
        height=image.height,
    )


def _decode(upload: UploadedFile) -> tuple[Image.Image, str, bytes | None]:
    """The upright first frame with no metadata attached, its format and its colour profile."""
    upload.seek(0)
    with Image.open(upload, formats=ALLOWED_FORMATS) as opened:
        # Image.open reads the header only: refuse a pixel bomb before decoding anything.
        if opened.width * opened.height > MAX_IMAGE_PIXELS:
            raise serializers.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
        image_format = opened.format or ""
        icc_profile = opened.info.get("icc_profile")
        opened.load()
        upright = ImageOps.exif_transpose(opened)
    if upright.mode == "P" and "transparency" in upright.info:
        # Keep palette transparency, which lives in `info`, before `info` is dropped.
        upright = upright.convert("RGBA")
    upright.info = {}
    return upright, image_format, icc_profile


def process_image(upload: UploadedFile) -> ProcessedImage:
    """Validate `upload` and return it cleaned and thumbnailed; `ValidationError` if unfit."""
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise serializers.ValidationError(TOO_LARGE, code="too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image, image_format, icc_profile = _decode(upload)
    # What Pillow raises for files that are not, or not wholly, images of an allowed format:
    # unknown or disallowed formats, truncated or corrupt data, oversized headers.
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
            raise serializers.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from exc
        raise serializers.ValidationError(INVALID, code="invalid_image") from exc
    with image:
        stored = _encode(image, image_format, icc_profile)
        thumbnail = _thumbnail(image, _THUMBNAIL_FORMATS[image_format], icc_profile)
    return ProcessedImage(image=stored, thumbnail=thumbnail)


def _thumbnail(image: Image.Image, image_format: str, icc_profile: bytes | None) -> EncodedImage:
    """A copy whose longest side is at most THUMBNAIL_SIZE, in a mode the format stores well."""
    modes = ("RGB", "L") if image_format == "JPEG" else ("RGB", "RGBA", "L", "LA")
    if image.mode in modes:
        thumb = image.copy()
    else:
        # Palette, CMYK, 16-bit...: resample in a plain mode; the old profile no longer fits.
        thumb = image.convert("RGB" if image_format == "JPEG" else "RGBA")
        icc_profile = None
    with thumb:
        thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
        return _encode(thumb, image_format, icc_profile)
