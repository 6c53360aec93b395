"""shared.images, the one decoder of untrusted images (the feed's posts and the users service's
avatars both go through it): caps, bombs, metadata, orientation, colour profiles, draft decoding.
"""

import io
import warnings

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from shared.images import STILL_FORMATS, DecodedImage, ImageLimits, UnacceptableImage, decode
from shared.testing import png_bomb

LIMITS = ImageLimits(max_bytes=1024 * 1024, max_pixels=25_000_000)
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
# Pillow's own guard, as Pillow ships it: warn past this many pixels, refuse twice as many.
PILLOW_GUARD = 1024 * 1024 * 1024 // 4 // 3


def file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload", content)


def encoded(
    image_format: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    **save_options: object,
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red").save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def decoded(content: bytes, **kwargs: object) -> DecodedImage:
    return decode(file(content), limits=kwargs.pop("limits", LIMITS), **kwargs)


def refusal(content: bytes, limits: ImageLimits = LIMITS) -> str:
    with pytest.raises(UnacceptableImage) as refused:
        decoded(content, limits=limits)
    return refused.value.code


def reopen(image) -> Image.Image:
    return Image.open(io.BytesIO(image.content.read()))


# --- what is refused, cheapest check first ----------------------------------------------------


def test_a_file_over_the_byte_cap_is_refused_before_it_is_read():
    # Not even an image: the byte count alone refuses it.
    assert refusal(b"x" * 101, ImageLimits(max_bytes=100, max_pixels=1000)) == "too_large"


def test_the_pixel_cap_is_inclusive_and_read_from_the_header():
    at_cap = ImageLimits(max_bytes=10_000, max_pixels=64 * 48)
    with decoded(encoded("PNG"), limits=at_cap) as image:
        assert image.pixels == 64 * 48
    assert refusal(encoded("PNG"), ImageLimits(10_000, 64 * 48 - 1)) == "too_many_pixels"
    # A header claiming 25 000 001 pixels over 1 KB of data: refused before any decoding.
    assert refusal(png_bomb(5_000, 5_001)) == "too_many_pixels"


def test_a_bomb_past_pillows_own_guard_is_refused_the_same_way():
    # Pillow raises past twice its guard; between the two it warns, and the cap refuses it.
    assert refusal(png_bomb(50_000, 50_000)) == "too_many_pixels"
    with pytest.warns(Image.DecompressionBombWarning):
        assert refusal(png_bomb(10_000, 10_000)) == "too_many_pixels"


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_a_bomb_is_refused_as_too_many_pixels_where_its_warning_is_an_error():
    assert refusal(png_bomb(10_000, 10_000)) == "too_many_pixels"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"just some text",
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        encoded("BMP"),
        encoded("TIFF"),
        encoded("JPEG", (400, 400))[:300],
        encoded("PNG")[:60],
        b"\xff\xd8\xff\xe0" + b"\x00" * 200,
    ],
    ids=["empty", "text", "svg", "bmp", "tiff", "truncated-jpeg", "truncated-png", "jpeg-magic"],
)
def test_anything_but_a_whole_jpeg_png_gif_or_webp_is_an_invalid_image(content):
    assert refusal(content) == "invalid_image"


def test_no_pillow_global_or_warning_filter_is_changed():
    import posts.images  # noqa: F401 - the feed's limits, built at import

    filters = list(warnings.filters)
    with decoded(encoded()):
        pass
    assert Image.MAX_IMAGE_PIXELS == PILLOW_GUARD
    assert warnings.filters == filters


def test_limits_cannot_exceed_pillows_guard_nor_be_empty():
    with pytest.raises(ValueError, match="max_pixels"):
        ImageLimits(max_bytes=1, max_pixels=PILLOW_GUARD + 1)
    with pytest.raises(ValueError, match="max_bytes"):
        ImageLimits(max_bytes=0, max_pixels=1)


# --- what is kept ---------------------------------------------------------------------------


def test_exif_gps_xmp_and_text_chunks_are_not_kept():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.GPSInfo] = {ExifTags.GPS.GPSLatitude: (37.0, 33.0, 59.0)}
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "SpyCam")
    uploads = [
        encoded("JPEG", exif=exif.tobytes(), xmp=b"<x:xmpmeta>SpyCam</x:xmpmeta>"),
        encoded("PNG", exif=exif.tobytes(), pnginfo=text),
        encoded("WEBP", exif=exif.tobytes()),
        encoded("GIF", mode="P", comment=b"SpyCam"),
    ]
    for content in uploads:
        with decoded(content) as image:
            for output in (image.encode(), image.encode(max_side=32)):
                raw = output.content.read()
                assert b"SpyCam" not in raw
                output.content.seek(0)
                assert dict(reopen(output).getexif()) == {}


def test_the_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turned a quarter: 80x60 pixels shown as 60x80
    with decoded(encoded("JPEG", (80, 60), exif=exif.tobytes())) as image:
        assert image.image.size == (60, 80)
        assert (image.encode().width, image.encode().height) == (60, 80)


def test_a_jpeg_decodes_at_the_smallest_scale_that_keeps_the_side_asked_for():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    content = encoded("JPEG", (4000, 3000), exif=exif.tobytes())
    with decoded(content, keep_side=1024) as image:
        # 1/2 scale (2000x1500) still covers 1024 a side; 1/4 (1000x750) would not.
        assert image.image.size == (1500, 2000)
        assert image.pixels == 12_000_000
        avatar = image.encode(image_format="JPEG", max_side=1024)
    assert (avatar.width, avatar.height) == (768, 1024)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_the_colour_profile_is_kept_in_the_image_and_its_resampled_copies(image_format):
    with decoded(encoded(image_format, icc_profile=SRGB)) as image:
        for output in (image.encode(), image.encode(max_side=32)):
            assert reopen(output).info.get("icc_profile") == SRGB


def test_a_profile_is_dropped_only_with_the_colour_space_it_describes():
    # A CMYK JPEG is kept whole as CMYK with its profile (the sRGB bytes stand in for a CMYK
    # one); a resampled copy is RGB, which a CMYK profile would misdescribe.
    with decoded(encoded("JPEG", mode="CMYK", icc_profile=SRGB)) as image:
        whole = reopen(image.encode())
        assert (whole.mode, whole.info.get("icc_profile")) == ("CMYK", SRGB)
        still = reopen(image.encode(max_side=32))
        assert (still.mode, still.info.get("icc_profile")) == ("RGB", None)


def test_palette_transparency_becomes_an_alpha_channel_and_a_gif_still_is_a_png():
    buffer = io.BytesIO()
    Image.new("P", (40, 40), 0).save(buffer, format="GIF", transparency=0)
    with decoded(buffer.getvalue()) as image:
        assert image.image.mode == "RGBA"
        still = image.encode(image_format=STILL_FORMATS[image.format], max_side=20)
    assert still.extension == "png"
    assert reopen(still).getpixel((1, 1))[3] == 0


def test_a_resampled_copy_is_never_enlarged():
    with decoded(encoded("PNG", (200, 100))) as image:
        still = image.encode(max_side=320)
    assert (still.width, still.height) == (200, 100)
