"""posts.images.process_image: what an upload must be, and what is kept of it."""

import io

import pytest
from PIL import ExifTags, Image
from rest_framework.exceptions import ValidationError

from posts.images import MAX_BYTES, process_image
from posts.tests.images import encode, jpeg_with_gps, upload
from shared.testing import png_bomb


def reopen(encoded) -> Image.Image:
    encoded.content.seek(0)
    return Image.open(io.BytesIO(encoded.content.read()))


@pytest.mark.parametrize(
    ("image_format", "extension"),
    [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp")],
)
def test_each_allowed_format_is_accepted_and_stored_in_its_format(image_format, extension):
    processed = process_image(upload(encode(image_format, (1000, 500)), f"x.{extension}"))

    assert (processed.image.width, processed.image.height) == (1000, 500)
    assert processed.image.extension == extension
    assert reopen(processed.image).format == image_format


def test_the_thumbnail_has_a_longest_side_of_320_pixels():
    landscape = process_image(upload(encode("JPEG", (1600, 900))))
    portrait = process_image(upload(encode("PNG", (300, 960)), "p.png"))

    assert reopen(landscape.thumbnail).size == (320, 180)
    assert (landscape.thumbnail.width, landscape.thumbnail.height) == (320, 180)
    assert reopen(portrait.thumbnail).size == (100, 320)


def test_a_small_image_is_not_enlarged_for_its_thumbnail():
    processed = process_image(upload(encode("JPEG", (200, 100))))
    assert reopen(processed.thumbnail).size == (200, 100)


def test_gps_and_other_exif_are_stripped_from_image_and_thumbnail():
    processed = process_image(upload(jpeg_with_gps()))

    for encoded in (processed.image, processed.thumbnail):
        stored = reopen(encoded)
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        encoded.content.seek(0)
        raw = encoded.content.read()
        assert b"Exif" not in raw
        assert b"TestCam" not in raw


def test_the_exif_orientation_is_applied_before_it_is_stripped():
    # Orientation 6: the camera was turned; viewers rotate the 800x600 pixels to 600x800.
    processed = process_image(upload(jpeg_with_gps((800, 600), orientation=6)))
    assert (processed.image.width, processed.image.height) == (600, 800)
    assert reopen(processed.image).size == (600, 800)


def test_png_transparency_survives():
    processed = process_image(
        upload(encode("PNG", (64, 64), mode="RGBA", color=(0, 0, 0, 0)), "t.png")
    )
    assert reopen(processed.image).getpixel((1, 1))[3] == 0
    assert reopen(processed.thumbnail).getpixel((1, 1))[3] == 0


def test_an_animated_gif_keeps_its_first_frame_only():
    frames = [Image.new("P", (40, 40), color) for color in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])

    processed = process_image(upload(buffer.getvalue(), "a.gif"))

    assert getattr(reopen(processed.image), "n_frames", 1) == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"just some text, not an image", "renamed.jpg"),
        (b"", "empty.jpg"),
        (encode("BMP", (10, 10)), "bitmap.bmp"),
        (encode("TIFF", (10, 10)), "scan.tiff"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "vector.svg"),
        (encode("JPEG", (400, 400))[:300], "truncated.jpg"),
    ],
    ids=["text", "empty", "bmp", "tiff", "svg", "truncated"],
)
def test_files_that_are_not_allowed_images_are_rejected(content, name):
    with pytest.raises(ValidationError) as raised:
        process_image(upload(content, name))
    assert "valid JPEG, PNG, GIF or WebP" in str(raised.value.detail[0])


def test_a_file_over_10_mib_is_rejected_before_it_is_opened():
    content = encode("PNG", (10, 10)) + b"\0" * MAX_BYTES
    with pytest.raises(ValidationError) as raised:
        process_image(upload(content, "big.png"))
    assert "10 MiB" in str(raised.value.detail[0])


# 100 000 x 1 000 is past Pillow's warning threshold: what the warning does is shared.images'
# business (config/tests/test_images.py); here, that each is refused with the feed's message.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    "size",
    [(50_000, 50_000), (8_000, 5_001), (100_000, 1_000)],
    ids=["2.5-gigapixel", "just-over-40MP", "wide"],
)
def test_decompression_bombs_are_rejected_from_their_header(size):
    with pytest.raises(ValidationError) as raised:
        process_image(upload(png_bomb(*size), "bomb.png"))
    assert "40 megapixels" in str(raised.value.detail[0])
