"""/api/v1/posts, /api/v1/posts/{id} and /api/v1/users/{id}/posts: the contract's rows."""

import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from PIL import ExifTags, Image

from authors.models import Author
from posts.models import Post, PostImage
from posts.services import like_post
from posts.tests.factories import AuthorFactory, PostFactory, PostImageFactory
from posts.tests.images import encode, jpeg_with_gps, upload
from posts.tests.shapes import IMAGE_KEYS, POST_KEYS, SUMMARY_KEYS
from shared.pagination import Cursor, KeysetPagination
from shared.testing import png_bomb

pytestmark = pytest.mark.django_db


def stored_path(url: str):
    """Where the gateway serves `url` from: MEDIA_ROOT plus the path after MEDIA_URL."""
    path = urlsplit(url).path
    assert path.startswith(settings.MEDIA_URL)
    return settings.MEDIA_ROOT / path.removeprefix(settings.MEDIA_URL)


# --- POST /api/v1/posts ----------------------------------------------------------------------


def test_create_from_json_returns_the_post_shape(client_for):
    response = client_for(7, "alice").post(
        "/api/v1/posts", {"title": "Hello", "body": "World"}, format="json"
    )

    assert response.status_code == 201
    post = response.json()
    assert set(post) == POST_KEYS
    assert post["author"] == {"id": 7, "username": "alice", "avatar_url": None}
    assert (post["title"], post["body"], post["images"]) == ("Hello", "World", [])
    assert (post["like_count"], post["comment_count"], post["liked_by_me"]) == (0, 0, False)
    assert post["created_at"].endswith("Z")
    assert Author.objects.get(pk=7).username == "alice"


def test_create_from_multipart_with_images_serves_them_through_the_gateway(client_for, media_root):
    images = [upload(encode("JPEG", (1200, 800))), upload(encode("PNG", (100, 50)), "b.png")]
    response = client_for(7).post(
        "/api/v1/posts", {"title": "Trip", "images": images}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    served = response.json()["images"]
    assert [set(image) for image in served] == [IMAGE_KEYS, IMAGE_KEYS]
    assert [(i["width"], i["height"]) for i in served] == [(1200, 800), (100, 50)]
    for image in served:
        for url in (image["url"], image["thumbnail_url"]):
            assert url.startswith(settings.PUBLIC_BASE_URL + "/media/feed/posts/")
            assert stored_path(url).is_file()
    assert Image.open(stored_path(served[0]["thumbnail_url"])).size == (320, 213)


def test_a_served_image_carries_no_gps_metadata(client_for, media_root):
    response = client_for(7).post(
        "/api/v1/posts", {"images": [upload(jpeg_with_gps())]}, format="multipart"
    )

    assert response.status_code == 201
    image = response.json()["images"][0]
    for url in (image["url"], image["thumbnail_url"]):
        stored = Image.open(stored_path(url))
        assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert b"Exif" not in stored_path(url).read_bytes()


def test_writing_needs_a_token(client):
    post = PostFactory()
    assert client.post("/api/v1/posts", {"title": "x"}, format="json").status_code == 401
    assert client.put(f"/api/v1/posts/{post.pk}", {"title": "x", "body": "y"}).status_code == 401
    assert client.patch(f"/api/v1/posts/{post.pk}", {"title": "x"}).status_code == 401
    response = client.delete(f"/api/v1/posts/{post.pk}")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x" * 1001}, "title"),
        ({"body": "x" * 2201}, "body"),
        ({"title": "", "body": "  "}, "non_field_errors"),
        ({}, "non_field_errors"),
        ({"title": "what the fuck"}, "title"),
        ({"title": "fine", "body": "이 씨발아"}, "body"),
        ({"title": "nul\x00byte"}, "title"),
        ({"body": "nul\x00byte"}, "body"),
        ({"title": 5, "body": ["not", "text"]}, "body"),
        ({"title": "ok", "images": ["not a file"]}, "images"),
    ],
)
def test_invalid_posts_are_a_400_naming_the_field(client_for, payload, field):
    response = client_for(7).post("/api/v1/posts", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Post.objects.exists()


def test_a_title_of_exactly_1000_and_a_body_of_2200_characters_are_fine(client_for):
    payload = {"title": "t" * 1000, "body": "b" * 2200}
    assert client_for(7).post("/api/v1/posts", payload, format="json").status_code == 201


def test_a_lone_surrogate_in_json_is_a_400(client_for):
    raw = '{"title": "bad \\ud800 text"}'
    response = client_for(7).post("/api/v1/posts", raw, content_type="application/json")
    assert response.status_code == 400
    assert "title" in response.json()


@pytest.mark.parametrize(
    "body",
    [b'{"title": "unterminated', b"\xff\xfe not utf-8", b"[1, 2]", b'"just a string"'],
)
def test_malformed_json_is_a_400(client_for, body):
    response = client_for(7).post("/api/v1/posts", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()


def test_a_nul_byte_in_a_multipart_field_is_a_400(client_for, media_root):
    response = client_for(7).post(
        "/api/v1/posts", {"title": "a\x00b", "images": [upload(encode())]}, format="multipart"
    )
    assert response.status_code == 400
    assert "title" in response.json()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\nnonsense"),
        ("multipart/form-data; boundary=", b"whatever"),
        ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data\r\n\r\n"),
        ("multipart/form-data; boundary=abc", b"\xff" * 100),
    ],
)
def test_malformed_multipart_is_a_400_not_a_500(client_for, content_type, body):
    response = client_for(7).post("/api/v1/posts", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()


def test_a_text_field_sent_as_a_file_is_a_400(client_for):
    response = client_for(7).post(
        "/api/v1/posts", {"title": upload(b"hello", "title.txt", "text/plain")}, format="multipart"
    )
    assert response.status_code == 400
    assert "title" in response.json()


def test_more_files_than_django_accepts_in_one_request_is_a_400(client_for, media_root):
    files = [upload(b"x", f"{i}.jpg") for i in range(101)]
    response = client_for(7).post("/api/v1/posts", {"images": files}, format="multipart")
    assert response.status_code == 400
    assert response.json()


def test_an_unsupported_content_type_is_a_415(client_for):
    response = client_for(7).post("/api/v1/posts", b"title=x", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_more_than_ten_images_are_a_400_and_nothing_is_stored(client_for, media_root):
    images = [upload(encode("JPEG", (20, 20))) for _ in range(11)]
    response = client_for(7).post("/api/v1/posts", {"images": images}, format="multipart")

    assert response.status_code == 400
    assert "images" in response.json()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_ten_images_are_fine(client_for, media_root):
    images = [upload(encode("JPEG", (20, 20))) for _ in range(10)]
    response = client_for(7).post("/api/v1/posts", {"images": images}, format="multipart")
    assert response.status_code == 201
    assert len(response.json()["images"]) == 10


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"I am a text file", "cat.jpg"),
        (encode("BMP", (10, 10)), "old.bmp"),
        (png_bomb(), "bomb.png"),
        (encode("PNG", (10, 10)) + b"\0" * (10 * 1024 * 1024), "huge.png"),
    ],
    ids=["non-image", "disallowed-format", "bomb", "oversized"],
)
def test_unfit_images_are_a_400_naming_the_image(client_for, media_root, content, name):
    images = [upload(encode()), upload(content, name)]
    response = client_for(7).post(
        "/api/v1/posts", {"title": "t", "images": images}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["images"][0].startswith("Image 2: ")
    assert not Post.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


# --- GET/PUT/PATCH/DELETE /api/v1/posts/{id} -------------------------------------------------


def test_anyone_reads_a_post(client):
    post = PostFactory(author_id=AuthorFactory(username="bob").id)
    response = client.get(f"/api/v1/posts/{post.pk}")
    assert response.status_code == 200
    assert set(response.json()) == POST_KEYS
    assert response.json()["author"]["username"] == "bob"
    assert client.get(f"/api/v1/posts/{post.pk}/").status_code == 200


def test_liked_by_me_reflects_the_caller(client, client_for):
    post = PostFactory()
    like_post(user_id=5, post=post)
    assert client_for(5).get(f"/api/v1/posts/{post.pk}").json()["liked_by_me"] is True
    assert client_for(6).get(f"/api/v1/posts/{post.pk}").json()["liked_by_me"] is False
    assert client.get(f"/api/v1/posts/{post.pk}").json()["liked_by_me"] is False


def test_reading_a_post_costs_one_query_plus_the_callers_check(
    client, client_for, django_assert_num_queries
):
    post = PostFactory(author_id=AuthorFactory().id)
    for position in range(3):
        PostImageFactory(post=post, position=position)
    like_post(user_id=5, post=post)

    # the post with liked_by_me and its author, then (the first time) its title, body and images
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/posts/{post.pk}").status_code == 200
    # then the post is rendered already; plus the caller's deleted-account check
    # (authors.authentication)
    with django_assert_num_queries(2):
        body = client_for(5).get(f"/api/v1/posts/{post.pk}").json()

    assert body["liked_by_me"] is True
    assert len(body["images"]) == 3


@pytest.mark.parametrize("post_id", ["999999", "99999999999999999999999"])
def test_an_unknown_post_is_a_404(client, client_for, post_id):
    assert client.get(f"/api/v1/posts/{post_id}").status_code == 404
    author = client_for(1)
    assert author.put(f"/api/v1/posts/{post_id}", {"title": "a", "body": "b"}).status_code == 404
    assert author.patch(f"/api/v1/posts/{post_id}", {"title": "a"}).status_code == 404
    response = author.delete(f"/api/v1/posts/{post_id}")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_put_replaces_title_and_body_and_needs_both(client_for):
    post = PostFactory(author_id=7, title="old", body="old")
    author = client_for(7)

    missing = author.put(f"/api/v1/posts/{post.pk}", {"title": "new"}, format="json")
    assert missing.status_code == 400
    assert "body" in missing.json()

    response = author.put(f"/api/v1/posts/{post.pk}", {"title": "new", "body": ""}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == POST_KEYS
    assert (response.json()["title"], response.json()["body"]) == ("new", "")


def test_patch_changes_only_what_is_sent(client_for):
    post = PostFactory(author_id=7, title="old", body="kept")
    response = client_for(7).patch(f"/api/v1/posts/{post.pk}", {"title": "new"}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["body"]) == ("new", "kept")


def test_edits_follow_the_creation_rules(client_for):
    post = PostFactory(author_id=7, title="t", body="")
    author = client_for(7)
    assert author.patch(f"/api/v1/posts/{post.pk}", {"title": ""}).status_code == 400
    assert author.patch(f"/api/v1/posts/{post.pk}", {"body": "shit"}).json() == {
        "body": ["This field contains a word that is not allowed."]
    }
    assert author.patch(f"/api/v1/posts/{post.pk}", {"title": "x" * 1001}).status_code == 400


def test_images_are_fixed_once_posted(client_for, media_root):
    post = PostImageFactory(post=PostFactory(author_id=7)).post
    response = client_for(7).patch(
        f"/api/v1/posts/{post.pk}", {"title": "t", "images": [upload(encode())]}, format="multipart"
    )
    assert response.status_code == 200
    assert len(response.json()["images"]) == 1


def test_non_authors_get_403_for_put_patch_and_delete(client_for):
    post = PostFactory(author_id=7, title="mine")
    stranger = client_for(8)

    for response in (
        stranger.put(f"/api/v1/posts/{post.pk}", {"title": "x", "body": "y"}, format="json"),
        stranger.patch(f"/api/v1/posts/{post.pk}", {"title": "x"}, format="json"),
        stranger.delete(f"/api/v1/posts/{post.pk}"),
    ):
        assert response.status_code == 403
        assert "detail" in response.json()
    assert Post.objects.get(pk=post.pk).title == "mine"


def test_the_author_deletes_a_post(client_for, media_root, django_capture_on_commit_callbacks):
    author = client_for(7)
    created = author.post("/api/v1/posts", {"images": [upload(encode())]}, format="multipart")
    post_id = created.json()["id"]
    files = [stored_path(created.json()["images"][0][key]) for key in ("url", "thumbnail_url")]
    client_for(8).post(f"/api/v1/posts/{post_id}/like")
    client_for(8).post(f"/api/v1/posts/{post_id}/comments", {"body": "nice"}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        response = author.delete(f"/api/v1/posts/{post_id}")

    assert response.status_code == 204
    assert author.get(f"/api/v1/posts/{post_id}").status_code == 404
    assert not PostImage.objects.exists()
    assert not any(path.exists() for path in files)


# --- GET /api/v1/users/{id}/posts ------------------------------------------------------------


def test_a_users_posts_come_newest_first_and_only_theirs(client):
    older, newer = PostFactory(author_id=7), PostFactory(author_id=7)
    PostFactory(author_id=8)

    response = client.get("/api/v1/users/7/posts")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert [post["id"] for post in body["results"]] == [newer.pk, older.pk]
    assert set(body["results"][0]) == POST_KEYS


def test_following_next_visits_every_post_once_even_while_new_ones_arrive(client):
    ids = [PostFactory(author_id=7).pk for _ in range(7)]
    seen, url = [], "/api/v1/users/7/posts?page_size=3"
    while url:
        response = client.get(url)
        seen += [post["id"] for post in response.json()["results"]]
        url = response.json()["next"]
        if url:
            assert response["Link"].startswith(f"<{url}>")
        PostFactory(author_id=7)  # new posts land before the cursor, never inside the walk
    assert seen == sorted(ids, reverse=True)


def test_previous_links_walk_a_users_posts_back_to_the_first_page(client):
    for _ in range(8):
        PostFactory(author_id=7)
    forward, url = [], "/api/v1/users/7/posts?page_size=3"
    while url:
        response = client.get(url)
        forward.append([post["id"] for post in response.json()["results"]])
        last, url = response, response.json()["next"]

    backward, url = [], last.json()["previous"]
    while url:
        response = client.get(url)
        backward.append([post["id"] for post in response.json()["results"]])
        url = response.json()["previous"]

    assert [len(page) for page in forward] == [3, 3, 2]
    assert backward == list(reversed(forward[:-1]))


def test_a_user_with_no_posts_has_an_empty_list(client):
    assert client.get("/api/v1/users/12345/posts").json()["results"] == []


def test_bad_pagination_parameters_are_a_400(client):
    assert client.get("/api/v1/users/7/posts?cursor=garbage").status_code == 400
    assert client.get("/api/v1/users/7/posts?page_size=abc").status_code == 400
    # a well-formed cursor whose values are not a (created_at, id) pair
    wrong_types = KeysetPagination().encode_cursor(Cursor((7, 8)))
    assert client.get(f"/api/v1/users/7/posts?cursor={wrong_types}").status_code == 400


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_users_posts_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    author = AuthorFactory()
    for _ in range(size):
        post = PostFactory(author_id=author.id)
        PostImageFactory(post=post, position=0)
        like_post(user_id=3, post=post)

    # the caller's deleted-account check (authors.authentication), the page's statement (posts
    # with liked_by_me and authors: posts.selectors.post_rows), then the contents of the posts
    # not rendered yet (posts.api.rendering), all of them the first time, none the next
    with django_assert_num_queries(3):
        response = client_for(3).get(f"/api/v1/users/{author.id}/posts?page_size={size}")
    with django_assert_num_queries(2):
        again = client_for(3).get(f"/api/v1/users/{author.id}/posts?page_size={size}")

    results = response.json()["results"]
    assert len(results) == size
    assert all(post["liked_by_me"] and len(post["images"]) == 1 for post in results)
    assert again.json() == response.json()


def test_json_output_is_the_contract_shape_exactly(client):
    post = PostImageFactory(post=PostFactory(author_id=AuthorFactory().id)).post
    payload = json.loads(client.get(f"/api/v1/posts/{post.pk}").content)
    assert set(payload["author"]) == SUMMARY_KEYS
    assert set(payload["images"][0]) == IMAGE_KEYS
    assert isinstance(payload["like_count"], int)


# --- What one upload may cost (docs/security.md) ---------------------------------------------


@pytest.mark.parametrize(("size", "fits"), [((2000, 100), True), ((100, 2100), False)])
def test_an_image_more_than_twenty_times_longer_than_wide_is_a_400(
    client_for, media_root, size, fits
):
    response = client_for(7).post(
        "/api/v1/posts", {"images": [upload(encode("PNG", size), "thin.png")]}, format="multipart"
    )

    if fits:
        assert response.status_code == 201
    else:
        assert response.status_code == 400
        assert response.json() == {
            "images": ["Image 1: An image may be at most 20 times longer than it is wide."]
        }


def test_the_images_of_one_post_share_a_pixel_budget(client_for, media_root, settings):
    settings.POST_IMAGE_PIXEL_BUDGET = 250_000
    images = [upload(encode("JPEG", (400, 250))) for _ in range(3)]  # 100 000 pixels each

    response = client_for(7).post("/api/v1/posts", {"images": images}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "images": ["Image 3: The images of one post may have at most 0.25 megapixels together."]
    }
    assert not Post.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_the_pixel_cap_per_image_is_a_setting(client_for, media_root, settings):
    settings.POST_IMAGE_MAX_PIXELS = 10_000
    response = client_for(7).post(
        "/api/v1/posts", {"images": [upload(encode("JPEG", (200, 100)))]}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"images": ["Image 1: Each image must be at most 0.01 megapixels."]}


def test_with_every_image_slot_taken_an_upload_is_a_503_with_retry_after(
    client_for, media_root, settings
):
    from shared.slots import work_slot

    settings.IMAGE_WORK_SLOTS, settings.IMAGE_WORK_WAIT_SECONDS = 1, 0
    images = [upload(encode("JPEG", (40, 40)))]
    with work_slot("images", slots=1):  # another worker is decoding
        busy = client_for(7).post("/api/v1/posts", {"images": images}, format="multipart")
        text_only = client_for(7).post("/api/v1/posts", {"title": "words"}, format="json")
    freed = client_for(7).post(
        "/api/v1/posts", {"images": [upload(encode("JPEG", (40, 40)))]}, format="multipart"
    )

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert set(busy.json()) == {"detail"}
    assert text_only.status_code == 201
    assert freed.status_code == 201
    assert Post.objects.count() == 2


def test_uploads_are_limited_per_user_apart_from_other_writes(client_for, media_root, settings):
    config = dict(settings.REST_FRAMEWORK)
    config["DEFAULT_THROTTLE_RATES"] = {**config["DEFAULT_THROTTLE_RATES"], "uploads": "2/min"}
    settings.REST_FRAMEWORK = config
    ann = client_for(7)

    def upload_post():
        return ann.post(
            "/api/v1/posts", {"images": [upload(encode("JPEG", (20, 20)))]}, format="multipart"
        )

    statuses = [upload_post().status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert ann.post("/api/v1/posts", {"title": "text"}, format="json").status_code == 201
    assert (
        client_for(8)
        .post("/api/v1/posts", {"images": [upload(encode("JPEG", (20, 20)))]}, format="multipart")
        .status_code
        == 201
    )
