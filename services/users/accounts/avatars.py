"""Avatar images: prove an upload is an image, strip what must not be served, name it, URL it.

An upload is decoded with Pillow (only JPEG, PNG, GIF and WebP decoders are allowed to look at
it), its size in bytes and in pixels is capped before any pixel is decoded, and what is stored
is a fresh encoding of the decoded pixels: EXIF (GPS positions, camera serials), comments and
other metadata never reach the disk. Stored names are random; the client's file name is unused.
"""

import io
import uuid
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

MAX_AVATAR_BYTES = 5 * 1024 * 1024
# Checked from the header, before decoding: a 50 KB PNG can claim 100 000 x 100 000 pixels.
MAX_AVATAR_PIXELS = 25_000_000
# Avatars are shown small; keeping at most this many pixels a side bounds storage and bandwidth.
AVATAR_MAX_SIDE = 1024

# Pillow decoder name -> (format to store, file extension). A GIF's first frame is stored as a
# PNG: re-encoding a palette animation buys nothing for an avatar.
OUTPUT_FORMATS = {
    "JPEG": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "GIF": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
}

NOT_AN_IMAGE = "Upload a JPEG, PNG, GIF or WebP image."


@dataclass(frozen=True)
class PreparedAvatar:
    content: bytes
    extension: str


def prepare_avatar(upload: UploadedFile) -> PreparedAvatar:
    """Decode `upload`, check its caps and return a clean re-encoding; `ValidationError` if not."""
    if upload.size is None or upload.size > MAX_AVATAR_BYTES:
        raise ValidationError(
            {"avatar": f"The image is larger than {MAX_AVATAR_BYTES // (1024 * 1024)} MiB."}
        )
    upload.seek(0)
    # Pillow raises a zoo of exceptions on hostile input (truncated streams, bad chunk lengths,
    # impossible headers); every one of them here means "not an acceptable image".
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own cap and twice it; ours is lower, checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=list(OUTPUT_FORMATS))
        with image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_AVATAR_PIXELS:
                raise _too_many_pixels()
            output_format, extension = OUTPUT_FORMATS[image.format or ""]
            # A JPEG can decode straight at 1/2, 1/4 or 1/8 scale: ask for no more pixels than
            # the avatar keeps, rather than all 25 million (other formats ignore this).
            image.draft(image.mode, (AVATAR_MAX_SIDE, AVATAR_MAX_SIDE))
            image.load()
            content = _reencode(image, output_format)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Far beyond our cap: Pillow refused it from the header itself.
        raise _too_many_pixels() from None
    except (OSError, SyntaxError, ValueError, EOFError, KeyError):
        raise ValidationError({"avatar": NOT_AN_IMAGE}) from None
    return PreparedAvatar(content=content, extension=extension)


def _too_many_pixels() -> ValidationError:
    return ValidationError({"avatar": f"The image has more than {MAX_AVATAR_PIXELS:,} pixels."})


def _reencode(image: Image.Image, output_format: str) -> bytes:
    # Apply the camera's orientation before the EXIF that carries it is dropped.
    image = ImageOps.exif_transpose(image)
    image.thumbnail((AVATAR_MAX_SIDE, AVATAR_MAX_SIDE))
    if output_format == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    # No `exif=`, `icc_profile=` or `pnginfo=`: the new file carries pixels only.
    if output_format == "JPEG":
        image.save(buffer, "JPEG", quality=90, optimize=True)
    elif output_format == "WEBP":
        image.save(buffer, "WEBP", quality=90)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


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
