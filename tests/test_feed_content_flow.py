"""Posts with images, likes and comments, end to end through the real nginx gateway."""

import io

import requests
from PIL import ExifTags, Image

from tests.conftest import sign_up


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (37.0, 33.0, 59.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 960), "teal").save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 200), (255, 0, 0, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_post_with_images_then_like_comment_and_delete(api, stack):
    alice, bob = sign_up(api), sign_up(api)

    created = api.post(
        "/api/v1/posts",
        headers=alice.auth,
        data={"title": "Seoul at dusk", "body": "From the tower."},
        files=[
            ("images", ("IMG_0001.jpg", jpeg_with_gps(), "image/jpeg")),
            ("images", ("sticker.png", png(), "image/png")),
        ],
    )
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["author"] == {"id": alice.id, "username": alice.username, "avatar_url": None}
    assert [(i["width"], i["height"]) for i in post["images"]] == [(1280, 960), (400, 200)]

    # Both files and thumbnails are served by the gateway itself, without GPS metadata.
    urls = [image[key] for image in post["images"] for key in ("url", "thumbnail_url")]
    for url in urls:
        assert url.startswith(f"{stack.url}/media/feed/")
        assert "IMG_0001" not in url
        served = requests.get(url, timeout=10)
        assert served.status_code == 200
        image = Image.open(io.BytesIO(served.content))
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    thumbnail = Image.open(io.BytesIO(requests.get(urls[1], timeout=10).content))
    assert thumbnail.size == (320, 240)

    path = f"/api/v1/posts/{post['id']}"
    liked = api.post(f"{path}/like", headers=bob.auth)
    assert (liked.status_code, liked.json()) == (201, {"liked": True, "like_count": 1})
    assert api.post(f"{path}/like", headers=bob.auth).status_code == 200
    likers = api.get(f"{path}/likes").json()["results"]
    assert likers == [{"id": bob.id, "username": bob.username, "avatar_url": None}]

    commented = api.post(f"{path}/comments", headers=bob.auth, json={"body": "Beautiful!"})
    assert commented.status_code == 201, commented.text
    assert commented.json()["author"]["username"] == bob.username
    assert [c["body"] for c in api.get(f"{path}/comments").json()["results"]] == ["Beautiful!"]

    as_bob = api.get(f"/api/v1/users/{alice.id}/posts", headers=bob.auth).json()["results"]
    assert [(p["id"], p["like_count"], p["comment_count"]) for p in as_bob] == [(post["id"], 1, 1)]
    assert as_bob[0]["liked_by_me"] is True
    assert api.get(f"/api/v1/users/{alice.id}/posts").json()["results"][0]["liked_by_me"] is False

    assert api.delete(path, headers=bob.auth).status_code == 403
    assert (
        api.delete(f"/api/v1/comments/{commented.json()['id']}", headers=alice.auth).status_code
        == 204
    )

    assert api.delete(path, headers=alice.auth).status_code == 204
    assert api.get(path).status_code == 404
    assert api.get(f"{path}/likes").status_code == 404
    for url in urls:
        assert requests.get(url, timeout=10).status_code == 404


def test_bad_uploads_are_json_400s_through_the_gateway(api):
    alice = sign_up(api)

    not_an_image = api.post(
        "/api/v1/posts",
        headers=alice.auth,
        files=[("images", ("cat.jpg", b"plain text, honestly", "image/jpeg"))],
    )
    too_many = api.post(
        "/api/v1/posts",
        headers=alice.auth,
        files=[("images", (f"{i}.png", png(), "image/png")) for i in range(11)],
    )
    anonymous = api.post("/api/v1/posts", json={"title": "hi"})

    assert not_an_image.status_code == 400
    assert "images" in not_an_image.json()
    assert too_many.status_code == 400
    assert "images" in too_many.json()
    assert anonymous.status_code == 401
