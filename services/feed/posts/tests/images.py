"""Image files built in memory for the tests: real encodings, hostile headers, metadata."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

GPS_LATITUDE = (37.0, 33.0, 59.0)


def encode(
    image_format: str = "JPEG",
    size: tuple[int, int] = (800, 600),
    *,
    mode: str = "RGB",
    color: object = "red",
    **save_options: object,
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (800, 600), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF says where it was taken (and optionally how to rotate it)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (126.0, 58.0, 40.0),
    }
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    return encode("JPEG", size, exif=exif.tobytes())


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)
