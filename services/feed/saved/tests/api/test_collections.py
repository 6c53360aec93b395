"""/api/v1/collections and /api/v1/collections/{id}[/posts[/{post_id}]]: the contract's rows."""

import pytest

from posts.models import Bookmark
from posts.tests.factories import AuthorFactory, PostFactory
from posts.tests.shapes import POST_KEYS
from saved.models import Collection

pytestmark = pytest.mark.django_db

COLLECTION_KEYS = {"id", "name", "post_count", "created_at"}


def make(client, name: str = "Trips") -> dict:
    response = client.post("/api/v1/collections", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_creating_a_collection_returns_its_shape(client_for):
    created = make(client_for(5), "Trips")

    assert set(created) == COLLECTION_KEYS
    assert (created["name"], created["post_count"]) == ("Trips", 0)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None])
def test_a_name_must_have_one_to_100_characters(client_for, name):
    response = client_for(5).post("/api/v1/collections", {"name": name}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name"}


def test_a_name_of_exactly_100_characters_is_fine(client_for):
    assert make(client_for(5), "x" * 100)["name"] == "x" * 100


def test_collections_need_a_token(client):
    assert client.get("/api/v1/collections").status_code == 401
    assert client.post("/api/v1/collections", {"name": "x"}).status_code == 401
    assert client.get("/api/v1/collections/1").status_code == 401
    assert client.put("/api/v1/collections/1/posts/1").status_code == 401
    assert client.get("/api/v1/collections/1/posts").status_code == 401


def test_the_list_is_the_callers_newest_first(client_for):
    owner = client_for(5)
    first, second = make(owner, "first"), make(owner, "second")
    make(client_for(6), "not mine")

    response = owner.get("/api/v1/collections")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [second["id"], first["id"]]


def test_get_patch_and_delete_one(client_for):
    owner = client_for(5)
    created = make(owner)
    url = f"/api/v1/collections/{created['id']}"

    assert owner.get(url).json() == created
    renamed = owner.patch(url, {"name": "Food"}, format="json")
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Food")
    assert owner.patch(url, {"name": ""}, format="json").status_code == 400
    assert owner.delete(url).status_code == 204
    assert owner.get(url).status_code == 404


def test_another_users_collection_is_a_404_for_every_verb(client_for):
    created = make(client_for(5))
    post = PostFactory()
    url = f"/api/v1/collections/{created['id']}"
    stranger = client_for(6)

    assert stranger.get(url).status_code == 404
    assert stranger.patch(url, {"name": "mine now"}, format="json").status_code == 404
    assert stranger.delete(url).status_code == 404
    assert stranger.put(f"{url}/posts/{post.pk}").status_code == 404
    assert stranger.delete(f"{url}/posts/{post.pk}").status_code == 404
    assert stranger.get(f"{url}/posts").status_code == 404
    assert Collection.objects.get(pk=created["id"]).name == "Trips"


def test_putting_a_post_in_is_idempotent_and_bookmarks_it(client_for):
    owner = client_for(5)
    created = make(owner)
    post = PostFactory()
    url = f"/api/v1/collections/{created['id']}/posts/{post.pk}"

    assert owner.put(url).status_code == 204
    assert owner.put(url).status_code == 204

    assert Bookmark.objects.filter(user_id=5, post=post).count() == 1
    assert owner.get(f"/api/v1/collections/{created['id']}").json()["post_count"] == 1


def test_an_unknown_post_or_collection_is_a_404(client_for):
    owner = client_for(5)
    created = make(owner)
    post = PostFactory()

    assert owner.put(f"/api/v1/collections/{created['id']}/posts/424242").status_code == 404
    assert owner.put(f"/api/v1/collections/424242/posts/{post.pk}").status_code == 404
    assert owner.get("/api/v1/collections/424242/posts").status_code == 404


def test_taking_a_post_out_keeps_its_bookmark(client_for):
    owner = client_for(5)
    created = make(owner)
    post = PostFactory()
    url = f"/api/v1/collections/{created['id']}/posts/{post.pk}"
    owner.put(url)

    assert owner.delete(url).status_code == 204
    assert owner.delete(url).status_code == 204

    assert owner.get(f"/api/v1/collections/{created['id']}").json()["post_count"] == 0
    assert Bookmark.objects.filter(user_id=5, post=post).exists()


def test_a_collections_posts_come_newest_added_first(client_for):
    owner = client_for(5)
    created = make(owner)
    author = AuthorFactory()
    older, newer = PostFactory(author_id=author.id), PostFactory(author_id=author.id)
    for post in (newer, older):
        owner.put(f"/api/v1/collections/{created['id']}/posts/{post.pk}")

    response = owner.get(f"/api/v1/collections/{created['id']}/posts")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [post["id"] for post in results] == [older.pk, newer.pk]
    assert set(results[0]) == POST_KEYS
    assert all(post["bookmarked_by_me"] for post in results)


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_collections_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    owner = client_for(3)
    created = make(owner)
    author = AuthorFactory()
    for _ in range(size):
        owner.put(
            f"/api/v1/collections/{created['id']}/posts/{PostFactory(author_id=author.id).pk}"
        )

    # the caller's deleted-account check, the collection, the page's statement, then (the
    # first time) the contents of the posts not rendered yet
    with django_assert_num_queries(4):
        response = owner.get(f"/api/v1/collections/{created['id']}/posts?page_size={size}")
    with django_assert_num_queries(3):
        again = owner.get(f"/api/v1/collections/{created['id']}/posts?page_size={size}")

    assert len(response.json()["results"]) == size
    assert again.json() == response.json()


@pytest.mark.parametrize("size", [1, 20, 100])
def test_the_collections_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    owner = client_for(3)
    post = PostFactory()
    for i in range(size):
        created = make(owner, f"c{i}")
        owner.put(f"/api/v1/collections/{created['id']}/posts/{post.pk}")

    # the caller's deleted-account check, then the page with its counts
    with django_assert_num_queries(2):
        response = owner.get(f"/api/v1/collections?page_size={size}")

    assert len(response.json()["results"]) == size
    assert {item["post_count"] for item in response.json()["results"]} == {1}
