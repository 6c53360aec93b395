"""comment_rows and render_comments (the one read and rendering of comments) against
CommentSerializer (the documented shape).

The same comments, read for the same viewer, must render to the same JSON bytes as DRF's
`JSONRenderer` draws `CommentSerializer`'s own output for them, read independently through the
ORM.
"""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer

from authors.models import Author
from authors.services import summarize_authors
from posts.api.rendering import OrjsonRenderer, render_comments
from posts.api.serializers import CommentSerializer
from posts.models import Comment, CommentLike
from posts.selectors import comment_rows
from posts.services import add_comment, like_comment
from posts.tests.factories import AuthorFactory, PostFactory
from relationships.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db

VIEWER = 10
# 1 is in the replica; 2 is in it without a name (the users service never had them); only the
# users service knows 3; nobody knows 4 (a placeholder).
AUTHORS = (1, 2, 3, 4)


def orm_comments(comments: list[Comment], viewer_id: int | None) -> list[SimpleNamespace]:
    """The comments as the ORM reads them, with the attributes `CommentSerializer` declares."""
    comments = list(Comment.objects.filter(pk__in=[c.pk for c in comments]))
    authors = summarize_authors({comment.author_id for comment in comments})
    liked = set(CommentLike.objects.filter(user_id=viewer_id).values_list("comment_id", flat=True))
    return [
        SimpleNamespace(
            id=comment.pk,
            post_id=comment.post_id,
            author=authors[comment.author_id],
            body=comment.body,
            parent_id=comment.parent_id,
            reply_count=comment.reply_count,
            like_count=comment.like_count,
            liked_by_me=comment.pk in liked,
            created_at=comment.created_at,
        )
        for comment in sorted(comments, key=lambda comment: (comment.created_at, comment.pk))
    ]


def forget_fetched_authors() -> None:
    """Drop what a rendering cached from the users service, so each rendering fetches it."""
    Author.objects.exclude(pk__in=[1, 2]).delete()


@pytest.fixture
def thread(users_service) -> tuple[list[Comment], list[Comment]]:
    AuthorFactory(id=1, username="ann", avatar_url="https://cdn.example/ann.png")
    AuthorFactory(id=2, username="")
    users_service.add(3, "cat", "https://cdn.example/cat.png")
    post = PostFactory(author_id=1)
    tops = [
        Comment.objects.create(post=post, author_id=author_id, body=f'Ünï "{author_id}" ✓\n<b>')
        for author_id in AUTHORS
    ]
    # A whole second (no microseconds).
    Comment.objects.filter(pk=tops[1].pk).update(
        created_at=datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    )
    replies = [
        Comment.objects.create(post=post, parent=tops[0], author_id=author_id, body="re")
        for author_id in AUTHORS
    ]
    Comment.objects.filter(pk=tops[0].pk).update(reply_count=len(replies))
    for comment in (tops[0], replies[2]):
        like_comment(user_id=VIEWER, comment=comment)
    forget_fetched_authors()
    return tops, replies


@pytest.mark.parametrize("viewer_id", [None, VIEWER])
def test_comments_and_replies_render_as_the_serializer_renders_them(thread, viewer_id):
    tops, replies = thread
    for comments, owner in (
        (tops, {"post_id": tops[0].post_id}),
        (replies, {"parent_id": tops[0].pk}),
    ):
        expected = JSONRenderer().render(
            CommentSerializer(orm_comments(comments, viewer_id), many=True).data
        )
        forget_fetched_authors()
        rows = comment_rows(**owner, viewer_id=viewer_id, cursor=None, limit=20)
        assert OrjsonRenderer().render(render_comments(rows)) == expected
        forget_fetched_authors()


def test_a_comment_just_written_renders_as_the_list_shows_it(client_for):
    AuthorFactory(id=1, username="ann")
    post = PostFactory(author_id=1)
    created = client_for(1, "ann").post(f"/api/v1/posts/{post.pk}/comments", {"body": "hi ✓"})
    listed = client_for(1, "ann").get(f"/api/v1/posts/{post.pk}/comments")

    assert created.status_code == 201
    assert created.json() == listed.json()["results"][0]
    assert created.json()["author"] == {"id": 1, "username": "ann", "avatar_url": None}


def test_a_post_or_comment_the_viewer_may_not_see_is_a_404_and_an_empty_one_an_empty_page():
    post = PostFactory(author_id=1)
    top = add_comment(post=post, author_id=1, body="first")
    BlockFactory(blocker_id=1, blocked_id=VIEWER)

    def read(**owner):
        return comment_rows(**owner, viewer_id=VIEWER, cursor=None, limit=20)

    for owner in ({"post_id": post.pk}, {"parent_id": top.pk}, {"post_id": 4242}):
        with pytest.raises(NotFound):
            read(**owner)
    assert comment_rows(parent_id=top.pk, viewer_id=None, cursor=None, limit=20) == []


def test_replies_paginate_both_ways(client):
    post = PostFactory(author_id=1)
    top = add_comment(post=post, author_id=1, body="first")
    ids = [add_comment(post=post, author_id=2, body="re", parent_id=top.pk).pk for _ in range(5)]

    first = client.get(f"/api/v1/comments/{top.pk}/replies?page_size=2").json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()

    assert [r["id"] for r in first["results"] + second["results"]] == ids[:4]
    assert [r["id"] for r in back["results"]] == ids[:2]
    assert back["previous"] is None
