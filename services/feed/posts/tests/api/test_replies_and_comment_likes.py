"""/api/v1/posts/{id}/comments with parent_id, /api/v1/comments/{id}/replies and
/api/v1/comments/{id}/like: the contract's rows."""

import pytest

from authors.models import Author
from posts.models import Comment, CommentLike
from posts.services import add_comment, like_comment
from posts.tests.factories import AuthorFactory, PostFactory
from posts.tests.shapes import COMMENT_KEYS
from relationships.models import Follow
from relationships.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db

ANN, BOB, CAT = 1, 2, 3


@pytest.fixture
def thread():
    """ANN's post, BOB's top-level comment on it, CAT's two replies."""
    for user_id, name in ((ANN, "ann"), (BOB, "bob"), (CAT, "cat")):
        AuthorFactory(id=user_id, username=name)
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="first")
    replies = [
        add_comment(post=post, author_id=CAT, body=f"re {n}", parent_id=top.pk) for n in range(2)
    ]
    return post, top, replies


def test_a_reply_has_the_comment_shape_and_a_reply_to_a_reply_joins_its_thread(client_for, thread):
    post, top, replies = thread
    response = client_for(ANN, "ann").post(
        f"/api/v1/posts/{post.pk}/comments",
        {"body": "re re", "parent_id": replies[0].pk},
        format="json",
    )
    assert response.status_code == 201
    reply = response.json()
    assert set(reply) == COMMENT_KEYS
    assert (reply["parent_id"], reply["reply_count"], reply["like_count"]) == (top.pk, 0, 0)
    assert reply["liked_by_me"] is False


@pytest.mark.parametrize("parent_id", ["x", 0, -1, 10**20, 999_999])
def test_a_bad_or_unknown_parent_is_a_400_naming_it(client_for, thread, parent_id):
    post, _, _ = thread
    response = client_for(ANN).post(
        f"/api/v1/posts/{post.pk}/comments", {"body": "re", "parent_id": parent_id}, format="json"
    )
    assert response.status_code == 400
    assert "parent_id" in response.json()


def test_the_post_lists_top_level_comments_oldest_first_with_their_counts(client, thread):
    post, top, _ = thread
    later = add_comment(post=post, author_id=CAT, body="second")

    results = client.get(f"/api/v1/posts/{post.pk}/comments").json()["results"]

    assert [c["id"] for c in results] == [top.pk, later.pk]
    assert [(c["parent_id"], c["reply_count"]) for c in results] == [(None, 2), (None, 0)]
    assert client.get(f"/api/v1/posts/{post.pk}").json()["comment_count"] == 4


def test_replies_come_oldest_first_and_paginate(client, thread):
    _, top, replies = thread
    more = add_comment(post=top.post, author_id=ANN, body="re 2", parent_id=top.pk)

    first = client.get(f"/api/v1/comments/{top.pk}/replies?page_size=2")
    second = client.get(first.json()["next"]).json()

    assert first.status_code == 200
    assert set(first.json()["results"][0]) == COMMENT_KEYS
    assert [c["id"] for c in first.json()["results"] + second["results"]] == [
        *(reply.pk for reply in replies),
        more.pk,
    ]
    assert second["next"] is None
    assert client.get(f"/api/v1/comments/{replies[0].pk}/replies").json()["results"] == []


def test_replies_of_an_unknown_comment_are_a_404(client):
    assert client.get("/api/v1/comments/4242/replies").status_code == 404


def test_the_blocked_get_404_for_a_blockers_comment_and_never_see_its_replies(client_for, thread):
    post, top, replies = thread
    BlockFactory(blocker_id=BOB, blocked_id=9)
    BlockFactory(blocker_id=CAT, blocked_id=9)
    blocked = client_for(9)
    assert blocked.get(f"/api/v1/comments/{top.pk}/replies").status_code == 404
    assert blocked.post(f"/api/v1/comments/{top.pk}/like").status_code == 404
    response = blocked.post(
        f"/api/v1/posts/{post.pk}/comments", {"body": "re", "parent_id": top.pk}, format="json"
    )
    assert response.status_code == 404
    # ANN's own comment is visible to them, its replies by CAT are not.
    mine = add_comment(post=post, author_id=ANN, body="ann's")
    add_comment(post=post, author_id=CAT, body="cat's", parent_id=mine.pk)
    assert blocked.get(f"/api/v1/comments/{mine.pk}/replies").json()["results"] == []
    assert CommentLike.objects.count() == 0
    assert Comment.objects.filter(author_id=9).count() == 0
    assert replies


def test_the_comments_of_a_private_accounts_post_are_a_404_for_a_non_follower(client_for, thread):
    _, top, _ = thread
    Author.objects.filter(pk=ANN).update(is_private=True)
    assert client_for(9).get(f"/api/v1/comments/{top.pk}/replies").status_code == 404
    assert client_for(9).post(f"/api/v1/comments/{top.pk}/like").status_code == 404
    Follow.objects.create(follower_id=9, followee_id=ANN)
    assert client_for(9).get(f"/api/v1/comments/{top.pk}/replies").status_code == 200
    assert client_for(9).post(f"/api/v1/comments/{top.pk}/like").status_code == 201


@pytest.mark.parametrize("size", [1, 20])
def test_a_page_of_replies_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="first")
    for _ in range(size):
        reply = add_comment(post=post, author_id=AuthorFactory().id, body="re", parent_id=top.pk)
        like_comment(user_id=7, comment=reply)

    # the caller's token check, then one statement: the comment (visible), the replies with
    # liked_by_me, the authors' summaries
    with django_assert_num_queries(2):
        response = client_for(7).get(f"/api/v1/comments/{top.pk}/replies?page_size={size}")

    results = response.json()["results"]
    assert len(results) == size
    assert all(reply["liked_by_me"] and reply["like_count"] == 1 for reply in results)


# --- POST and DELETE /api/v1/comments/{id}/like ----------------------------------------------


def test_liking_a_comment_is_201_then_200_and_shows_in_the_lists(client, client_for, thread):
    _, top, _ = thread
    liker = client_for(ANN, "ann")
    first = liker.post(f"/api/v1/comments/{top.pk}/like")
    again = liker.post(f"/api/v1/comments/{top.pk}/like/")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() == {"liked": True, "like_count": 1}
    mine = liker.get(f"/api/v1/posts/{top.post_id}/comments").json()["results"][0]
    anonymous = client.get(f"/api/v1/posts/{top.post_id}/comments").json()["results"][0]
    assert (mine["like_count"], mine["liked_by_me"]) == (1, True)
    assert (anonymous["like_count"], anonymous["liked_by_me"]) == (1, False)


def test_unliking_a_comment_is_204_liked_or_not(client_for, thread):
    _, top, _ = thread
    liker = client_for(ANN)
    liker.post(f"/api/v1/comments/{top.pk}/like")
    assert liker.delete(f"/api/v1/comments/{top.pk}/like").status_code == 204
    assert liker.delete(f"/api/v1/comments/{top.pk}/like").status_code == 204
    top.refresh_from_db()
    assert top.like_count == 0


def test_comment_likes_need_a_token_and_a_comment(client, client_for):
    assert client.post("/api/v1/comments/1/like").status_code == 401
    assert client.delete("/api/v1/comments/1/like").status_code == 401
    assert client_for(ANN).post("/api/v1/comments/4242/like").status_code == 404
    assert client_for(ANN).delete("/api/v1/comments/4242/like").status_code == 404


def test_deleting_a_comment_through_the_api_takes_its_replies(client, client_for, thread):
    post, top, _ = thread
    assert client_for(BOB).delete(f"/api/v1/comments/{top.pk}").status_code == 204
    assert client.get(f"/api/v1/posts/{post.pk}").json()["comment_count"] == 0
    assert client.get(f"/api/v1/comments/{top.pk}/replies").status_code == 404


@pytest.mark.parametrize("size", [1, 20])
def test_a_page_of_top_level_comments_for_a_caller_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    post = PostFactory(author_id=ANN)
    for _ in range(size):
        top = add_comment(post=post, author_id=AuthorFactory().id, body="hi")
        add_comment(post=post, author_id=BOB, body="re", parent_id=top.pk)
        like_comment(user_id=7, comment=top)

    # the caller's token check, then one statement: the post (visible), the comments with
    # liked_by_me, the authors' summaries
    with django_assert_num_queries(2):
        response = client_for(7).get(f"/api/v1/posts/{post.pk}/comments?page_size={size}")

    results = response.json()["results"]
    assert len(results) == size
    assert all(c["liked_by_me"] and c["reply_count"] == 1 for c in results)
