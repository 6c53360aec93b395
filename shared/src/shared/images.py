"""Untrusted images: prove an upload is an image, bound it, and keep nothing of it but pixels.

The one decoder every service's uploads go through; each service passes its own limits and
sizes and maps `UnacceptableImage.code` to its own messages. An upload is checked cheapest first,
so that a hostile file costs little: its size in bytes; its header (read by the JPEG, PNG, GIF
and WebP decoders only) for the pixels it claims; only then are the pixels decoded. What a
service stores is a fresh encoding of the upright first frame: no EXIF (GPS positions, camera
serials), XMP, comments or text chunks. The ICC colour profile is kept whenever the stored pixels
are in the colour space it describes: it says nothing about the person, and without it a
wide-gamut photo's colours come out wrong.
"""

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Literal, Self

from django.core.files import File
from PIL import Image, ImageOps

ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# What a resampled still (a thumbnail, an avatar) is stored as: a GIF's first frame as a PNG,
# since re-encoding a scaled still into a 256-colour palette only loses colours.
STILL_FORMATS: Mapping[str, str] = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "PNG", "WEBP": "WEBP"}

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "GIF": {},
    "WEBP": {"quality": 90},
}
# The colour space a profile of each mode describes (a palette holds RGB colours). A profile
# survives a conversion within its space and is dropped across spaces (CMYK to RGB, say).
_COLOUR_SPACES = {"P": "RGB", "PA": "RGB", "RGB": "RGB", "RGBA": "RGB", "L": "L", "LA": "L"}
# Encoded files smaller than this stay in memory until stored; bigger ones spill to disk.
_SPOOL_BYTES = 1024 * 1024
# What Pillow raises for data that is not, or not wholly, an image of an allowed format:
# unknown formats (UnidentifiedImageError is an OSError), truncated streams, bad chunk
# lengths, impossible headers, broken EXIF. Anything else is a bug and stays one.
_DECODING_ERRORS = (OSError, SyntaxError, ValueError, EOFError, KeyError)

RejectionCode = Literal[
    "too_large", "too_many_pixels", "invalid_image", "too_elongated", "over_pixel_budget"
]


class UnacceptableImage(Exception):
    """An upload refused by `decode`; `code` says why, for the caller to word."""

    def __init__(self, code: RejectionCode) -> None:
        super().__init__(code)
        self.code: RejectionCode = code


@dataclass(frozen=True)
class ImageLimits:
    """What one upload may weigh: bytes as sent, pixels (width x height) as decoded, and how
    much longer than wide (or wider than long) it may be.

    Pillow's own bomb guard (`Image.MAX_IMAGE_PIXELS`, a process-wide setting this module
    leaves alone) stays above any cap allowed here, so `decode`'s header check is what refuses
    every oversized image, with one answer. A very long, thin image (1 x 40,000,000) is within
    any pixel cap but is no picture, and costs the resampler and the encoders more per pixel.
    """

    max_bytes: int
    max_pixels: int
    max_aspect_ratio: float = 20.0

    def __post_init__(self) -> None:
        guard = Image.MAX_IMAGE_PIXELS or self.max_pixels
        if not 0 < self.max_pixels <= guard:
            raise ValueError(f"max_pixels must be 1 to {guard:,} (Pillow's bomb guard)")
        if self.max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        if self.max_aspect_ratio < 1:
            raise ValueError("max_aspect_ratio must be at least 1")


class PixelBudget:
    """The pixels one request may have decoded, over all its images (`decode(budget=...)`).

    Each image within its own cap can still be cheap to send and dear to decode; ten of them
    in one request multiply that. The header's claim is spent before any pixel is decoded.
    """

    def __init__(self, pixels: int) -> None:
        if pixels <= 0:
            raise ValueError("a pixel budget must be positive")
        self.remaining = pixels

    def spend(self, pixels: int) -> None:
        if pixels > self.remaining:
            raise UnacceptableImage("over_pixel_budget")
        self.remaining -= pixels


@dataclass(frozen=True)
class EncodedImage:
    """A re-encoded image ready to be stored: its bytes (a file positioned at 0) and shape."""

    content: IO[bytes]
    extension: str
    width: int
    height: int


@dataclass
class DecodedImage:
    """The upright first frame of an upload, with no metadata left on it.

    `format` is the decoder that read it, `pixels` what its header claimed (before any draft
    scaling), `icc_profile` its colour profile. Close it (or use it as a context manager) to
    free the pixels.
    """

    image: Image.Image
    format: str
    pixels: int
    icc_profile: bytes | None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.image.close()

    def encode(
        self, *, image_format: str | None = None, max_side: int | None = None
    ) -> EncodedImage:
        """Encode the pixels afresh, as `image_format` (default: the upload's own format).

        With `max_side`, a copy scaled down (never up) to at most that many pixels a side, in
        a mode `image_format` stores well: the shape for thumbnails and avatars (see
        `STILL_FORMATS`). Without it, the pixels as decoded.
        """
        image_format = image_format or self.format
        image, icc_profile = self.image, self.icc_profile
        if max_side is not None:
            image = _still(image, image_format)
            if image.mode != self.image.mode and not _same_space(self.image.mode, image.mode):
                icc_profile = None
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        try:
            return _save(image, image_format, icc_profile)
        finally:
            if image is not self.image:
                image.close()


def measure(file: File, *, limits: ImageLimits, budget: PixelBudget | None = None) -> int:
    """The pixels `file` claims, from its size and header only; `UnacceptableImage` if its
    bytes, pixels or shape are past `limits`, or its pixels past what `budget` has left.

    Costs a header read, not a decode: run it over every image of a request before decoding
    any, so that a request over its budget is refused before it costs anything.
    """
    if file.size is None or file.size > limits.max_bytes:
        raise UnacceptableImage("too_large")
    file.seek(0)
    try:
        with Image.open(file, formats=ALLOWED_FORMATS) as opened:
            width, height = opened.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnacceptableImage("too_many_pixels") from None
    except _DECODING_ERRORS:
        raise UnacceptableImage("invalid_image") from None
    finally:
        file.seek(0)
    _check_shape(width, height, limits=limits, budget=budget)
    return width * height


def _check_shape(
    width: int, height: int, *, limits: ImageLimits, budget: PixelBudget | None
) -> None:
    if width * height > limits.max_pixels:
        raise UnacceptableImage("too_many_pixels")
    if max(width, height) > limits.max_aspect_ratio * max(min(width, height), 1):
        raise UnacceptableImage("too_elongated")
    if budget is not None:
        budget.spend(width * height)


def decode(
    file: File,
    *,
    limits: ImageLimits,
    keep_side: int | None = None,
    budget: PixelBudget | None = None,
) -> DecodedImage:
    """Prove `file` is an allowed image within `limits` and decode it; `UnacceptableImage` if not.

    With `budget`, the image's pixels are also taken from what the request has left.
    `keep_side` promises that no more than that many pixels a side will be kept: a JPEG is then
    decoded straight at 1/2, 1/4 or 1/8 scale where that still leaves enough (other formats
    decode whole). The header's pixel count is checked before that, against the full size.
    """
    if file.size is None or file.size > limits.max_bytes:
        raise UnacceptableImage("too_large")
    file.seek(0)
    try:
        # Image.open reads the header only. Past Pillow's own guard it raises, or warns (no
        # warning filter is changed for that: filters are process-wide, and a threaded worker
        # decodes in several threads at once); the pixel check below refuses both anyway.
        with Image.open(file, formats=ALLOWED_FORMATS) as opened:
            width, height = opened.size
            _check_shape(width, height, limits=limits, budget=budget)
            image_format = opened.format or ""
            icc_profile = opened.info.get("icc_profile") or None
            if keep_side is not None:
                opened.draft(opened.mode, (keep_side, keep_side))
            opened.load()
            # A copy detached from the file, turned upright before the EXIF that says how to
            # is dropped.
            upright = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnacceptableImage("too_many_pixels") from None
    except _DECODING_ERRORS:
        raise UnacceptableImage("invalid_image") from None
    if upright.mode == "P" and "transparency" in upright.info:
        # Palette transparency lives in `info`: keep it as an alpha channel before `info` goes.
        converted = upright.convert("RGBA")
        upright.close()
        upright = converted
    # Savers read comments, EXIF, XMP and the like from `info`: nothing of it is passed on.
    upright.info = {}
    return DecodedImage(
        image=upright, format=image_format, pixels=width * height, icc_profile=icc_profile
    )


def _still(image: Image.Image, image_format: str) -> Image.Image:
    """A copy of `image` in a mode `image_format` stores a resampled picture well in."""
    if image_format == "JPEG":
        modes, fallback = ("RGB", "L"), "RGB"
    else:
        modes, fallback = ("RGB", "RGBA", "L", "LA"), "RGBA"
    return image.copy() if image.mode in modes else image.convert(fallback)


def _same_space(from_mode: str, to_mode: str) -> bool:
    space = _COLOUR_SPACES.get(from_mode)
    return space is not None and space == _COLOUR_SPACES.get(to_mode)


def _save(image: Image.Image, image_format: str, icc_profile: bytes | None) -> EncodedImage:
    buffer = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned
    options = dict(_SAVE_OPTIONS[image_format])
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(buffer, format=image_format, **options)
    buffer.seek(0)
    return EncodedImage(
        content=buffer,
        extension=_EXTENSIONS[image_format],
        width=image.width,
        height=image.height,
    )
