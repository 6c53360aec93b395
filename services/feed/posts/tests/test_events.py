"""The feed's events about likes, comments and posts are recorded in the transaction of the
change they describe, once per change, with the payloads docs/events.md gives."""

import pytest
from rest_framework.exceptions import NotFound

from actions.posts import delete_post
from posts.models import Post
from posts.services import add_comment, delete_comment, like_post, unlike_post
from posts.tests.factories import AuthorFactory, PostFactory
from shared.events.models import OutboxEvent
from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db


def recorded(prefix: str = "feed.") -> list[tuple[str, int, int, dict]]:
    rows = OutboxEvent.objects.filter(type__startswith=prefix).order_by("id")
    return [(row.type, row.aggregate_id, row.sequence, row.payload) for row in rows]


def test_a_like_and_its_unlike_are_recorded_once_each_on_the_posts_sequence():
    AuthorFactory(id=2, username="bob")
    post = PostFactory(author_id=1)
    like_post(user_id=2, post=post)
    like_post(user_id=2, post=post)
    unlike_post(user_id=2, post=post)
    unlike_post(user_id=2, post=post)
    bob = {"id": 2, "username": "bob", "avatar_url": None}
    assert recorded() == [
        ("feed.post.liked", post.pk, 1, {"post_author_id": 1, "user": bob}),
        ("feed.post.unliked", post.pk, 2, {"user_id": 2}),
    ]


def test_a_comment_and_its_deletion_are_recorded_on_the_comments_sequence():
    AuthorFactory(id=2, username="bob")
    post = PostFactory(author_id=1)
    comment = add_comment(post=post, author_id=2, body="nice")
    delete_comment(comment=comment)
    delete_comment(comment=comment)
    assert recorded() == [
        (
            "feed.comment.created",
            comment.pk,
            1,
            {
                "post_id": post.pk,
                "post_author_id": 1,
                "author": {"id": 2, "username": "bob", "avatar_url": None},
                "parent_id": None,
                "parent_author_id": None,
                "mentioned_user_ids": [],
            },
        ),
        ("feed.comment.deleted", comment.pk, 2, {"post_id": post.pk}),
    ]


def test_a_deleted_post_is_recorded_after_its_likes_on_the_same_sequence():
    AuthorFactory(id=2)
    post = PostFactory(author_id=1)
    like_post(user_id=2, post=post)
    delete_post(post=post)
    delete_post(post=post)
    assert [(kind, sequence) for kind, _, sequence, _ in recorded()] == [
        ("feed.post.liked", 1),
        ("feed.post.deleted", 2),
    ]
    assert recorded()[-1][3] == {"author_id": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_by_one_user_record_one_event():
    AuthorFactory(id=2)
    post = PostFactory(author_id=1)
    results = run_concurrently(8, lambda _: like_post(user_id=2, post=post))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [kind for kind, *_ in recorded()] == ["feed.post.liked"]


def test_a_like_refused_for_a_missing_post_records_nothing():
    AuthorFactory(id=2)
    post = PostFactory(author_id=1)
    Post.objects.filter(pk=post.pk).delete()
    with pytest.raises(NotFound):
        like_post(user_id=2, post=post)
    assert recorded() == []
