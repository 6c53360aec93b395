"""/api/v1/posts/{id}/like and /api/v1/posts/{id}/likes: the contract's rows."""

import pytest

from posts.models import Like, Post
from posts.services import like_post
from posts.tests.factories import AuthorFactory, PostFactory
from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db


def test_the_first_like_is_201_and_a_repeat_is_200(client_for):
    post = PostFactory()
    liker = client_for(5)

    first = liker.post(f"/api/v1/posts/{post.pk}/like")
    again = liker.post(f"/api/v1/posts/{post.pk}/like")
    other = client_for(6).post(f"/api/v1/posts/{post.pk}/like/")

    assert (first.status_code, first.json()) == (201, {"liked": True, "like_count": 1})
    assert (again.status_code, again.json()) == (200, {"liked": True, "like_count": 1})
    assert (other.status_code, other.json()) == (201, {"liked": True, "like_count": 2})


def test_unlike_is_204_whether_liked_or_not(client_for):
    post = PostFactory()
    liker = client_for(5)
    liker.post(f"/api/v1/posts/{post.pk}/like")

    assert liker.delete(f"/api/v1/posts/{post.pk}/like").status_code == 204
    assert liker.delete(f"/api/v1/posts/{post.pk}/like").status_code == 204
    assert Post.objects.get(pk=post.pk).like_count == 0


def test_liking_needs_a_token(client):
    post = PostFactory()
    assert client.post(f"/api/v1/posts/{post.pk}/like").status_code == 401
    assert client.delete(f"/api/v1/posts/{post.pk}/like").status_code == 401


def test_liking_an_unknown_post_is_a_404(client, client_for):
    assert client_for(5).post("/api/v1/posts/424242/like").status_code == 404
    assert client_for(5).delete("/api/v1/posts/424242/like").status_code == 404
    assert client.get("/api/v1/posts/424242/likes").status_code == 404
    assert client.get("/api/v1/posts/99999999999999999999/likes").status_code == 404


def test_likers_are_user_summaries_newest_like_first(client, client_for):
    post = PostFactory()
    for user_id, name in ((11, "first"), (12, "second"), (13, "third")):
        client_for(user_id, name).post(f"/api/v1/posts/{post.pk}/like")

    response = client.get(f"/api/v1/posts/{post.pk}/likes")

    assert response.status_code == 200
    assert set(response.json()) == {"next", "previous", "results"}
    assert response.json()["results"] == [
        {"id": 13, "username": "third", "avatar_url": None},
        {"id": 12, "username": "second", "avatar_url": None},
        {"id": 11, "username": "first", "avatar_url": None},
    ]


def test_likers_are_paginated(client):
    post = PostFactory()
    for user_id in range(1, 6):
        like_post(user_id=user_id, post=post)

    first = client.get(f"/api/v1/posts/{post.pk}/likes?page_size=3").json()
    second = client.get(first["next"]).json()

    assert [u["id"] for u in first["results"] + second["results"]] == [5, 4, 3, 2, 1]
    assert second["next"] is None


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_page_of_likers_costs_the_same_queries_whatever_its_size(
    client, size, django_assert_num_queries
):
    post = PostFactory()
    for _ in range(size):
        like_post(user_id=AuthorFactory().id, post=post)

    # the post exists, the likes, the likers' summaries
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/posts/{post.pk}/likes?page_size={size}")

    assert len(response.json()["results"]) == size


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_like_requests_by_one_user_make_one_201_and_one_like(client_for):
    post = PostFactory()

    def like(_: int) -> int:
        response = client_for(5).post(f"/api/v1/posts/{post.pk}/like")
        assert response.json()["like_count"] == 1
        return response.status_code

    statuses = run_concurrently(20, like)

    assert sorted(statuses) == [200] * 19 + [201]
    assert Like.objects.filter(post=post).count() == 1
    assert Post.objects.get(pk=post.pk).like_count == 1
