"""/api/v1/posts/{id}/comments and /api/v1/comments/{id}: the contract's rows."""

import pytest

from posts.models import Comment, Post
from posts.services import add_comment
from posts.tests.factories import AuthorFactory, CommentFactory, PostFactory
from posts.tests.shapes import COMMENT_KEYS

pytestmark = pytest.mark.django_db


def test_commenting_returns_the_comment_shape_and_counts_it(client_for):
    post = PostFactory()

    response = client_for(5, "carol").post(
        f"/api/v1/posts/{post.pk}/comments", {"body": "Nice!"}, format="json"
    )

    assert response.status_code == 201
    comment = response.json()
    assert set(comment) == COMMENT_KEYS
    assert comment["post_id"] == post.pk
    assert comment["author"] == {"id": 5, "username": "carol", "avatar_url": None}
    assert comment["body"] == "Nice!"
    assert Post.objects.get(pk=post.pk).comment_count == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"body": ""},
        {"body": "   "},
        {},
        {"body": "x" * 2201},
        {"body": "you are a bitch"},
        {"body": "병신"},
        {"body": "nul\x00"},
    ],
    ids=["empty", "blank", "missing", "too-long", "profanity-en", "profanity-ko", "nul"],
)
def test_invalid_comments_are_a_400_naming_body(client_for, payload):
    post = PostFactory()
    response = client_for(5).post(f"/api/v1/posts/{post.pk}/comments", payload, format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert not Comment.objects.exists()


def test_commenting_needs_a_token_and_an_existing_post(client, client_for):
    post = PostFactory()
    assert client.post(f"/api/v1/posts/{post.pk}/comments", {"body": "x"}).status_code == 401
    assert client_for(5).post("/api/v1/posts/4242/comments", {"body": "x"}).status_code == 404
    assert client.get("/api/v1/posts/4242/comments").status_code == 404


def test_comments_come_oldest_first_and_paginate(client):
    post = PostFactory()
    ids = [add_comment(post=post, author_id=1, body=f"c{i}").pk for i in range(5)]

    first = client.get(f"/api/v1/posts/{post.pk}/comments?page_size=3")
    second = client.get(first.json()["next"]).json()

    assert first.status_code == 200
    assert set(first.json()["results"][0]) == COMMENT_KEYS
    assert [c["id"] for c in first.json()["results"] + second["results"]] == ids
    assert second["next"] is None


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_page_of_comments_costs_the_same_queries_whatever_its_size(
    client, size, django_assert_num_queries
):
    post = PostFactory()
    for _ in range(size):
        CommentFactory(post=post, author_id=AuthorFactory().id)

    # one statement: the post (visible), the comments, their authors' summaries
    with django_assert_num_queries(1):
        response = client.get(f"/api/v1/posts/{post.pk}/comments?page_size={size}")

    assert len(response.json()["results"]) == size


def test_the_comments_author_deletes_it(client_for):
    post = PostFactory(author_id=1)
    comment = add_comment(post=post, author_id=5, body="mine")
    assert client_for(5).delete(f"/api/v1/comments/{comment.pk}").status_code == 204
    assert Post.objects.get(pk=post.pk).comment_count == 0


def test_the_posts_author_deletes_any_comment_on_it(client_for):
    post = PostFactory(author_id=1)
    comment = add_comment(post=post, author_id=5, body="theirs")
    assert client_for(1).delete(f"/api/v1/comments/{comment.pk}/").status_code == 204
    assert not Comment.objects.exists()


def test_anyone_else_gets_403_and_the_comment_stays(client, client_for):
    post = PostFactory(author_id=1)
    comment = add_comment(post=post, author_id=5, body="stays")

    response = client_for(9).delete(f"/api/v1/comments/{comment.pk}")

    assert response.status_code == 403
    assert "detail" in response.json()
    assert client.delete(f"/api/v1/comments/{comment.pk}").status_code == 401
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert Post.objects.get(pk=post.pk).comment_count == 1


def test_deleting_an_unknown_comment_is_a_404(client_for):
    assert client_for(1).delete("/api/v1/comments/4242").status_code == 404
    assert client_for(1).delete("/api/v1/comments/99999999999999999999").status_code == 404
