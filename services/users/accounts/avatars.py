"""Avatar images: the users service's limits and size for the shared decoder, names and URLs.

An upload is proven, bounded and stripped of its metadata by `shared.images`; what is stored
is a fresh encoding of its pixels, at most `AVATAR_MAX_SIDE` a side. Stored names are random;
the client's file name is unused.
"""

import uuid
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from shared.images import STILL_FORMATS, EncodedImage, ImageLimits, UnacceptableImage, decode
from shared.slots import work_slot

# Avatars are shown small; keeping at most this many pixels a side bounds storage and bandwidth.
AVATAR_MAX_SIDE = 1024
# The pixel cap is checked from the header, before decoding: a 50 KB PNG can claim
# 100 000 x 100 000 pixels.
LIMITS = ImageLimits(max_bytes=5 * 1024 * 1024, max_pixels=25_000_000)

MESSAGES = {
    "invalid_image": "Upload a JPEG, PNG, GIF or WebP image.",
    "too_large": f"The image is larger than {LIMITS.max_bytes // (1024 * 1024)} MiB.",
    "too_many_pixels": f"The image has more than {LIMITS.max_pixels:,} pixels.",
    "too_elongated": (
        f"The image may be at most {LIMITS.max_aspect_ratio:g} times longer than it is wide."
    ),
}


def prepare_avatar(upload: UploadedFile) -> EncodedImage:
    """Decode `upload`, check its caps and return a clean re-encoding at most the avatar size;
    `ValidationError` on the `avatar` field if it is unfit."""
    # One of the instance's image slots (shared.slots): a 503 with Retry-After when all stay busy.
    with work_slot(
        "images", slots=settings.IMAGE_WORK_SLOTS, wait_seconds=settings.IMAGE_WORK_WAIT_SECONDS
    ):
        try:
            # A JPEG decodes straight at the scale the avatar keeps, not at its full 25 MP.
            decoded = decode(upload, limits=LIMITS, keep_side=AVATAR_MAX_SIDE)
        except UnacceptableImage as refused:
            raise ValidationError({"avatar": MESSAGES[refused.code]}) from None
        with decoded:
            return decoded.encode(
                image_format=STILL_FORMATS[decoded.format], max_side=AVATAR_MAX_SIDE
            )


def generate_avatar_name(extension: str) -> str:
    """A fresh, unguessable storage name for an avatar."""
    return f"avatars/{uuid.uuid4().hex}.{extension}"


def avatar_url(name: str | None) -> str | None:
    """The absolute URL clients fetch an avatar from, through the gateway; None without one.

    Built from PUBLIC_BASE_URL, not the request, so the profile API, the internal API and the
    events sent to the feed all agree, whichever port a caller reached this service on.
    """
    if not name:
        return None
    return urljoin(settings.PUBLIC_BASE_URL.rstrip("/") + "/", default_storage.url(name))
