"""Replies and comment likes through the services, against real Postgres: the one-level rule,
the counters, deletions that take replies with them, the events, and races with real threads."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound

from actions.posts import delete_post
from posts.models import Comment, CommentLike, Post
from posts.services import (
    add_comment,
    delete_comment,
    delete_user_content,
    like_comment,
    recount_post_counters,
    unlike_comment,
)
from posts.tests.factories import AuthorFactory, PostFactory
from relationships.tests.factories import BlockFactory
from shared.events.models import OutboxEvent
from shared.testing import run_concurrently

ANN, BOB, CAT = 1, 2, 3


@pytest.fixture
def people():
    for user_id, name in ((ANN, "ann"), (BOB, "bob"), (CAT, "cat")):
        AuthorFactory(id=user_id, username=name)


def counts(post: Post) -> int:
    return Post.objects.values_list("comment_count", flat=True).get(pk=post.pk)


def reply_count(comment: Comment) -> int:
    return Comment.objects.values_list("reply_count", flat=True).get(pk=comment.pk)


def payloads(type: str) -> list[tuple[int, dict]]:
    rows = OutboxEvent.objects.filter(type=type).order_by("id")
    return [(row.aggregate_id, row.payload) for row in rows]


@pytest.mark.django_db
def test_a_reply_to_a_reply_is_filed_under_the_top_level_comment(people):
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="first")
    reply = add_comment(post=post, author_id=CAT, body="re", parent_id=top.pk)
    again = add_comment(post=post, author_id=ANN, body="re re", parent_id=reply.pk)

    assert (reply.parent_id, again.parent_id) == (top.pk, top.pk)
    assert reply_count(top) == 2
    assert counts(post) == 3  # comment_count counts replies
    # The author of the comment replied to hears of it, whichever level it is on.
    created = dict(payloads("feed.comment.created"))
    assert (created[reply.pk]["parent_id"], created[reply.pk]["parent_author_id"]) == (top.pk, BOB)
    assert (created[again.pk]["parent_id"], created[again.pk]["parent_author_id"]) == (top.pk, CAT)
    assert (created[top.pk]["parent_id"], created[top.pk]["parent_author_id"]) == (None, None)


@pytest.mark.django_db
def test_a_parent_must_be_a_comment_of_the_same_post(people):
    post, other = PostFactory(author_id=ANN), PostFactory(author_id=ANN)
    elsewhere = add_comment(post=other, author_id=BOB, body="there")
    for parent_id in (elsewhere.pk, 999_999):
        with pytest.raises(ValidationError) as error:
            add_comment(post=post, author_id=BOB, body="re", parent_id=parent_id)
        assert "parent_id" in error.value.message_dict
    assert counts(post) == 0


@pytest.mark.django_db
def test_nobody_replies_to_or_likes_a_comment_across_a_block(people):
    post = PostFactory(author_id=ANN)
    comment = add_comment(post=post, author_id=BOB, body="hi")
    BlockFactory(blocker_id=BOB, blocked_id=CAT)
    with pytest.raises(NotFound):
        add_comment(post=post, author_id=CAT, body="re", parent_id=comment.pk)
    with pytest.raises(NotFound):
        like_comment(user_id=CAT, comment=comment)
    BlockFactory(blocker_id=ANN, blocked_id=BOB)  # the blocker acts on the blocked's comment
    mine = add_comment(post=PostFactory(author_id=99), author_id=BOB, body="x")
    with pytest.raises(NotFound):
        add_comment(post=mine.post, author_id=ANN, body="re", parent_id=mine.pk)
    assert reply_count(comment) == 0
    assert not CommentLike.objects.exists()


@pytest.mark.django_db
def test_deleting_a_comment_takes_its_replies_and_their_likes(people):
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="first")
    replies = [add_comment(post=post, author_id=CAT, body="re", parent_id=top.pk) for _ in "ab"]
    kept = add_comment(post=post, author_id=CAT, body="other")
    like_comment(user_id=ANN, comment=replies[0])
    like_comment(user_id=ANN, comment=top)

    delete_comment(comment=top)
    delete_comment(comment=top)  # idempotent

    assert list(Comment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not CommentLike.objects.exists()
    assert counts(post) == 1
    deleted = sorted(comment_id for comment_id, _ in payloads("feed.comment.deleted"))
    assert deleted == sorted([top.pk, *(reply.pk for reply in replies)])


@pytest.mark.django_db
def test_deleting_a_reply_uncounts_it_on_its_parent_and_post(people):
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="first")
    reply = add_comment(post=post, author_id=CAT, body="re", parent_id=top.pk)
    delete_comment(comment=reply)
    assert (reply_count(top), counts(post)) == (0, 1)


@pytest.mark.django_db
def test_deleting_a_post_takes_its_threads_and_comment_likes(people):
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="first")
    like_comment(
        user_id=CAT, comment=add_comment(post=post, author_id=CAT, body="r", parent_id=top.pk)
    )
    delete_post(post=post)
    assert not Comment.objects.exists()
    assert not CommentLike.objects.exists()


@pytest.mark.django_db
def test_a_comment_like_counts_once_and_an_unlike_uncounts_it(people):
    comment = add_comment(post=PostFactory(author_id=ANN), author_id=BOB, body="hi")
    assert like_comment(user_id=CAT, comment=comment) == (1, True)
    assert like_comment(user_id=CAT, comment=comment) == (1, False)
    assert like_comment(user_id=ANN, comment=comment) == (2, True)
    unlike_comment(user_id=CAT, comment=comment)
    unlike_comment(user_id=CAT, comment=comment)
    comment.refresh_from_db()
    assert comment.like_count == 1
    assert payloads("feed.comment.liked") == [
        (comment.pk, {"post_id": comment.post_id, "comment_author_id": BOB, "user": u})
        for u in (
            {"id": CAT, "username": "cat", "avatar_url": None},
            {"id": ANN, "username": "ann", "avatar_url": None},
        )
    ]
    assert payloads("feed.comment.unliked") == [(comment.pk, {"user_id": CAT})]


@pytest.mark.django_db
def test_liking_a_deleted_comment_is_a_404_and_leaves_nothing(people):
    comment = add_comment(post=PostFactory(author_id=ANN), author_id=BOB, body="hi")
    delete_comment(comment=comment)
    with pytest.raises(NotFound):
        like_comment(user_id=CAT, comment=comment)
    assert not CommentLike.objects.exists()


@pytest.mark.django_db
def test_deleting_an_account_takes_its_comments_their_replies_and_its_comment_likes(people):
    post = PostFactory(author_id=ANN)
    mine = add_comment(post=post, author_id=BOB, body="mine")
    add_comment(post=post, author_id=CAT, body="re mine", parent_id=mine.pk)
    theirs = add_comment(post=post, author_id=CAT, body="theirs")
    my_reply = add_comment(post=post, author_id=BOB, body="re theirs", parent_id=theirs.pk)
    kept_reply = add_comment(post=post, author_id=ANN, body="re theirs", parent_id=theirs.pk)
    like_comment(user_id=BOB, comment=theirs)
    like_comment(user_id=ANN, comment=mine)

    delete_user_content(user_id=BOB)

    assert set(Comment.objects.values_list("pk", flat=True)) == {theirs.pk, kept_reply.pk}
    theirs.refresh_from_db()
    assert (theirs.reply_count, theirs.like_count) == (1, 0)
    assert counts(post) == 2
    assert my_reply.pk not in [c for c, _ in payloads("feed.comment.deleted")]
    assert recount_post_counters() == 0


@pytest.mark.django_db
def test_recounting_repairs_drifted_reply_and_comment_like_counts(people):
    top = add_comment(post=PostFactory(author_id=ANN), author_id=BOB, body="hi")
    add_comment(post=top.post, author_id=CAT, body="re", parent_id=top.pk)
    like_comment(user_id=CAT, comment=top)
    Comment.objects.filter(pk=top.pk).update(reply_count=5, like_count=9)
    assert recount_post_counters() == 2
    top.refresh_from_db()
    assert (top.reply_count, top.like_count) == (1, 1)


# --- races, with real threads ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_likes_of_a_comment_by_one_user_leave_one_counted_once(people):
    comment = add_comment(post=PostFactory(author_id=ANN), author_id=BOB, body="hi")

    results = run_concurrently(20, lambda _: like_comment(user_id=CAT, comment=comment))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False] * 19 + [True]
    assert CommentLike.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.like_count == 1
    assert OutboxEvent.objects.filter(type="feed.comment.liked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_users_comment_likes_and_unlikes_interleaved_keep_the_count_exact(people):
    comment = add_comment(post=PostFactory(author_id=ANN), author_id=BOB, body="hi")

    def toggle(i: int) -> None:
        for round_ in range(10):
            if (i + round_) % 2:
                like_comment(user_id=CAT, comment=comment)
            else:
                unlike_comment(user_id=CAT, comment=comment)

    results = run_concurrently(8, toggle)

    assert not [r for r in results if isinstance(r, Exception)], results
    comment.refresh_from_db()
    assert comment.like_count == CommentLike.objects.filter(comment=comment).count() <= 1


@pytest.mark.django_db(transaction=True)
def test_replies_and_likes_racing_the_deletion_of_their_comment_leave_nothing_behind(people):
    post = PostFactory(author_id=ANN)
    top = add_comment(post=post, author_id=BOB, body="first")
    reply = add_comment(post=post, author_id=BOB, body="re", parent_id=top.pk)

    def act(i: int) -> None:
        if i == 0:
            delete_comment(comment=top)
        elif i % 2:
            add_comment(post=post, author_id=CAT, body="late", parent_id=top.pk)
        else:
            like_comment(user_id=100 + i, comment=reply)

    results = run_concurrently(9, act)

    # Each one either came first (and was deleted with the comment) or found it gone.
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, NotFound | ValidationError) for e in errors), errors
    assert not Comment.objects.exists()
    assert not CommentLike.objects.exists()
    assert counts(post) == 0
