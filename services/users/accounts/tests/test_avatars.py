"""PUT/DELETE /api/v1/users/me/avatar: decoded, capped, stripped, renamed, replaced cleanly."""

import io
from pathlib import Path

import pytest
from conftest import image_bytes
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from accounts import avatars
from accounts.models import User
from shared.images import ImageLimits
from shared.testing import png_bomb

pytestmark = pytest.mark.django_db


def upload(auth_client, content: bytes, name: str = "me.png", content_type="image/png"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return auth_client.put("/api/v1/users/me/avatar", {"avatar": file}, format="multipart")


def stored_path(user: User) -> Path:
    user.refresh_from_db()
    return Path(settings.MEDIA_ROOT) / user.avatar.name


@pytest.mark.parametrize(
    ("fmt", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "png"), ("WEBP", "webp")]
)
def test_each_allowed_format_is_stored_under_a_generated_name(auth_client, user, fmt, extension):
    response = upload(auth_client, image_bytes(fmt), name="../../etc/passwd.png")
    assert response.status_code == 200, response.json()
    body = response.json()
    user.refresh_from_db()
    assert user.avatar.name.startswith("avatars/")
    assert user.avatar.name.endswith(f".{extension}")
    assert "passwd" not in user.avatar.name
    assert body["avatar_url"] == f"http://127.0.0.1:8000/media/users/{user.avatar.name}"
    assert body["email"] == "ann@example.com"
    with Image.open(stored_path(user)) as stored:
        assert stored.size == (64, 48)


def test_exif_metadata_is_stripped_from_what_is_stored(auth_client, user):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (37.0, 30.0, 0.0)}  # GPS IFD
    response = upload(auth_client, image_bytes("JPEG", exif=exif.tobytes()), name="me.jpg")
    assert response.status_code == 200
    data = stored_path(user).read_bytes()
    assert b"SpyCam" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()


def test_the_colour_profile_is_kept(auth_client, user):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert (
        upload(auth_client, image_bytes("JPEG", icc_profile=srgb), name="me.jpg").status_code == 200
    )
    with Image.open(stored_path(user)) as stored:
        assert stored.info.get("icc_profile") == srgb


def test_large_images_are_scaled_down_to_the_avatar_size(auth_client, user):
    assert upload(auth_client, image_bytes("PNG", size=(3000, 1500))).status_code == 200
    with Image.open(stored_path(user)) as stored:
        assert stored.size == (avatars.AVATAR_MAX_SIDE, avatars.AVATAR_MAX_SIDE // 2)


@pytest.mark.parametrize(
    "content",
    [
        b"just some text, not an image",
        image_bytes("PNG")[:60],
        image_bytes("BMP"),
        image_bytes("TIFF"),
        b"",
    ],
    ids=["text", "truncated", "bmp", "tiff", "empty"],
)
def test_anything_but_a_whole_jpeg_png_gif_or_webp_is_a_400(auth_client, user, content):
    response = upload(auth_client, content)
    assert response.status_code == 400
    assert "avatar" in response.json()
    user.refresh_from_db()
    assert not user.avatar


def test_a_renamed_text_file_is_a_400(auth_client):
    response = upload(auth_client, b"<?php echo 1; ?>", name="shell.jpg", content_type="image/jpeg")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "size",
    # Over our cap but under Pillow's own, and far over both.
    [(6_000, 6_000), (100_000, 100_000)],
)
def test_a_decompression_bomb_is_refused_from_its_header(auth_client, size):
    response = upload(auth_client, png_bomb(*size))
    assert response.status_code == 400
    assert "pixels" in response.json()["avatar"][0]


def test_an_image_just_over_the_pixel_cap_is_refused(auth_client, monkeypatch):
    monkeypatch.setattr(avatars, "LIMITS", ImageLimits(max_bytes=10_000, max_pixels=64 * 48 - 1))
    assert upload(auth_client, image_bytes("PNG")).status_code == 400


def test_a_file_over_the_byte_cap_is_refused_before_decoding(auth_client, monkeypatch):
    monkeypatch.setattr(avatars, "LIMITS", ImageLimits(max_bytes=100, max_pixels=1_000_000))
    response = upload(auth_client, image_bytes("PNG", size=(200, 200)))
    assert response.status_code == 400
    assert "MiB" in response.json()["avatar"][0]


def test_missing_avatar_field_is_a_400(auth_client):
    response = auth_client.put("/api/v1/users/me/avatar", {}, format="multipart")
    assert response.status_code == 400
    assert "avatar" in response.json()


def test_json_instead_of_multipart_is_a_415(auth_client):
    response = auth_client.put("/api/v1/users/me/avatar", {"avatar": "x"}, format="json")
    assert response.status_code == 415


def test_avatar_needs_an_access_token(client):
    assert client.put("/api/v1/users/me/avatar", {}, format="multipart").status_code == 401
    assert client.delete("/api/v1/users/me/avatar").status_code == 401


def test_replacing_an_avatar_removes_the_old_file_after_commit(
    auth_client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(auth_client, image_bytes("PNG"))
    first = stored_path(user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload(auth_client, image_bytes("JPEG"), name="new.jpg")
    second = stored_path(user)
    assert len(callbacks) == 1
    assert second.exists()
    assert not first.exists()


def test_a_refused_upload_keeps_the_current_avatar(auth_client, user):
    upload(auth_client, image_bytes("PNG"))
    current = stored_path(user)
    assert upload(auth_client, b"not an image").status_code == 400
    assert stored_path(user) == current
    assert current.exists()


def test_delete_avatar_clears_it_and_removes_the_file(
    auth_client, user, django_capture_on_commit_callbacks
):
    upload(auth_client, image_bytes("PNG"))
    path = stored_path(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete("/api/v1/users/me/avatar")
    assert response.status_code == 204
    user.refresh_from_db()
    assert not user.avatar
    assert not path.exists()
    assert auth_client.get("/api/v1/users/me").json()["avatar_url"] is None


def test_delete_avatar_without_one_is_a_204(auth_client):
    assert auth_client.delete("/api/v1/users/me/avatar").status_code == 204


def test_avatar_url_follows_public_base_url(auth_client, user, settings):
    settings.PUBLIC_BASE_URL = "https://social.example/"
    upload(auth_client, image_bytes("PNG"))
    url = auth_client.get("/api/v1/users/me").json()["avatar_url"]
    assert url == f"https://social.example/media/users/{User.objects.get().avatar.name}"
