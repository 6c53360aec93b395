"""The post's controls (comments_disabled, hide_like_count) and its images' descriptions
(alt_text, PATCH /api/v1/posts/{id}/images/{image_id}, blurhash): the contract's rows."""

import blurhash
import pytest

from posts.images import blurhash_of, process_image
from posts.services import add_comment, like_post
from posts.tests.factories import AuthorFactory, PostFactory, PostImageFactory
from posts.tests.images import encode, upload

pytestmark = pytest.mark.django_db

ANN, BOB = 1, 2


def controls(post: dict) -> tuple[bool, bool]:
    return post["comments_disabled"], post["hide_like_count"]


# --- comments_disabled and hide_like_count ---------------------------------------------------


def test_a_post_is_open_by_default_and_takes_its_controls_at_creation(client_for):
    author = client_for(ANN, "ann")
    plain = author.post("/api/v1/posts", {"title": "a"}, format="json").json()
    closed = author.post(
        "/api/v1/posts",
        {"title": "b", "comments_disabled": True, "hide_like_count": True},
        format="json",
    ).json()
    assert controls(plain) == (False, False)
    assert controls(closed) == (True, True)


@pytest.mark.parametrize("format", ["json", "multipart"])
def test_a_put_without_the_controls_leaves_them_and_patch_changes_one(client_for, format):
    author = client_for(ANN, "ann")
    post = author.post(
        "/api/v1/posts", {"title": "a", "comments_disabled": True}, format="json"
    ).json()
    put = author.put(f"/api/v1/posts/{post['id']}", {"title": "b", "body": ""}, format=format)
    assert put.status_code == 200
    assert controls(put.json()) == (True, False)
    patched = author.patch(
        f"/api/v1/posts/{post['id']}", {"hide_like_count": "true"}, format=format
    ).json()
    assert controls(patched) == (True, True)
    assert patched["title"] == "b"


def test_a_control_that_is_not_a_boolean_is_a_400(client_for):
    response = client_for(ANN).post(
        "/api/v1/posts", {"title": "a", "hide_like_count": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert "hide_like_count" in response.json()


def test_commenting_or_replying_where_comments_are_disabled_is_a_403(client_for):
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="before")
    post.__class__.objects.filter(pk=post.pk).update(comments_disabled=True)

    for user_id in (BOB, ANN):  # the author too: commenting is off
        for payload in ({"body": "x"}, {"body": "x", "parent_id": top.pk}):
            response = client_for(user_id).post(
                f"/api/v1/posts/{post.pk}/comments", payload, format="json"
            )
            assert response.status_code == 403
            assert "detail" in response.json()
    post.refresh_from_db()
    assert post.comment_count == 1
    # What was said before stays readable.
    assert len(client_for(BOB).get(f"/api/v1/posts/{post.pk}/comments").json()["results"]) == 1


def test_a_hidden_like_count_is_null_for_everyone_but_the_author(client, client_for):
    AuthorFactory(id=ANN, username="ann")
    post = PostFactory(author_id=ANN, hide_like_count=True)
    like_post(user_id=BOB, post=post)

    def like_count(reader) -> object:
        return reader.get(f"/api/v1/posts/{post.pk}").json()["like_count"]

    assert like_count(client_for(ANN)) == 1
    assert like_count(client_for(BOB)) is None
    assert like_count(client) is None
    assert client.get(f"/api/v1/users/{ANN}/posts").json()["results"][0]["like_count"] is None
    assert client_for(9).post(f"/api/v1/posts/{post.pk}/like").json() == {
        "liked": True,
        "like_count": None,
    }
    assert client_for(ANN).post(f"/api/v1/posts/{post.pk}/like").json() == {
        "liked": True,
        "like_count": 3,
    }


# --- alt_text and blurhash -------------------------------------------------------------------


def test_alt_texts_come_in_the_order_of_the_images_and_each_image_has_a_blurhash(
    client_for, media_root
):
    images = [upload(encode("JPEG", (400, 300), color="navy")) for _ in range(3)]
    response = client_for(ANN).post(
        "/api/v1/posts",
        {"images": images, "alt_text": ["a dog", "a 고양이"]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    served = response.json()["images"]
    assert [image["alt_text"] for image in served] == ["a dog", "a 고양이", ""]
    assert all(blurhash.components(image["blurhash"]) == (4, 3) for image in served)
    assert len({image["id"] for image in served}) == 3


@pytest.mark.parametrize(("alt_text", "count"), [(["x" * 1001], 1), (["a", "b"], 1), (["a"], 0)])
def test_too_long_or_too_many_alt_texts_are_a_400(client_for, media_root, alt_text, count):
    images = [upload(encode("JPEG", (40, 30))) for _ in range(count)]
    payload = {"title": "t", "alt_text": alt_text, **({"images": images} if images else {})}
    response = client_for(ANN).post("/api/v1/posts", payload, format="multipart")
    assert response.status_code == 400
    assert "alt_text" in response.json()


def test_the_blurhash_is_drawn_from_the_thumbnail_of_any_mode():
    for mode, color in (("RGB", "red"), ("RGBA", (0, 0, 255, 0)), ("P", 3), ("L", 128)):
        processed = process_image(upload(encode("PNG", (1000, 60), mode=mode, color=color)))
        assert blurhash.components(processed.blurhash) == (4, 3)
        assert blurhash_of(processed.thumbnail) == processed.blurhash
        assert processed.thumbnail.content.read(4) == b"\x89PNG"  # left where it was


def test_the_author_describes_an_image_after_posting(client, client_for):
    post = PostFactory(author_id=ANN)
    image = PostImageFactory(post=post, position=0)
    before = client.get(f"/api/v1/posts/{post.pk}").json()

    response = client_for(ANN).patch(
        f"/api/v1/posts/{post.pk}/images/{image.pk}", {"alt_text": "the sea"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["id"] == image.pk
    assert response.json()["alt_text"] == "the sea"
    after = client.get(f"/api/v1/posts/{post.pk}").json()
    assert after["images"][0]["alt_text"] == "the sea"
    assert after["updated_at"] > before["updated_at"]


def test_describing_an_image_is_the_authors_alone_and_needs_the_image(client, client_for):
    post, other = PostFactory(author_id=ANN), PostFactory(author_id=ANN)
    image = PostImageFactory(post=post, position=0)
    url = f"/api/v1/posts/{post.pk}/images/{image.pk}"
    body = {"alt_text": "x"}
    assert client.patch(url, body, format="json").status_code == 401
    assert client_for(BOB).patch(url, body, format="json").status_code == 403
    assert (
        client_for(ANN)
        .patch(f"/api/v1/posts/{other.pk}/images/{image.pk}", body, format="json")
        .status_code
        == 404
    )
    assert client_for(ANN).patch(f"/api/v1/posts/424242/images/{image.pk}", body).status_code == 404
    too_long = client_for(ANN).patch(url, {"alt_text": "x" * 1001}, format="json")
    assert too_long.status_code == 400
    assert "alt_text" in too_long.json()
    assert client_for(ANN).patch(url, {}, format="json").status_code == 400
