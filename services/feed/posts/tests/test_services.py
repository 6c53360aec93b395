"""The posts services against real Postgres: rules, counters, files and concurrency."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from actions.posts import create_post, delete_post
from posts.images import process_image
from posts.models import Comment, Like, Post, PostImage
from posts.services import (
    add_comment,
    delete_comment,
    delete_user_content,
    like_post,
    unlike_post,
    update_post,
)
from posts.tests.factories import CommentFactory, LikeFactory, PostFactory, PostImageFactory
from posts.tests.images import encode, upload
from shared.db import get_or_create_toggle
from shared.testing import run_concurrently


def processed(count: int = 1) -> list:
    return [process_image(upload(encode("JPEG", (640, 480)))) for _ in range(count)]


# --- creating, changing, deleting posts ------------------------------------------------------


@pytest.mark.django_db
def test_create_post_stores_images_under_generated_names_in_upload_order(media_root):
    post = create_post(author_id=1, title="Trip", images=processed(2))

    images = list(PostImage.objects.filter(post=post).order_by("position"))
    assert [image.position for image in images] == [0, 1]
    for image in images:
        assert image.file.startswith("posts/")
        assert image.file.endswith(".jpg")
        assert "photo" not in image.file  # the client's name ("photo.jpg") is never used
        assert (media_root / image.file).is_file()
        assert (media_root / image.thumbnail).is_file()
        assert (image.width, image.height) == (640, 480)


@pytest.mark.django_db
@pytest.mark.parametrize(("title", "body"), [("", ""), ("   ", "\n\t ")])
def test_a_post_without_title_body_or_image_is_refused(title, body):
    with pytest.raises(ValidationError):
        create_post(author_id=1, title=title, body=body)
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_post_with_only_an_image_is_fine(media_root):
    assert create_post(author_id=1, images=processed()).pk


@pytest.mark.django_db
def test_files_written_for_a_post_that_fails_to_save_are_removed(media_root):
    with pytest.raises(DataError):
        create_post(author_id=2**63, title="x", images=processed(2))  # bigint overflow

    assert [path for path in media_root.rglob("*") if path.is_file()] == []


@pytest.mark.django_db
def test_update_post_changes_only_the_given_fields():
    post = PostFactory(title="old title", body="old body")

    update_post(post=post, title="new title")

    post.refresh_from_db()
    assert (post.title, post.body) == ("new title", "old body")


@pytest.mark.django_db
def test_update_post_does_not_overwrite_counters_changed_since_the_post_was_read():
    post = PostFactory()
    stale = Post.objects.get(pk=post.pk)
    like_post(user_id=9, post=post)

    update_post(post=stale, title="edited")

    assert Post.objects.get(pk=post.pk).like_count == 1


@pytest.mark.django_db
def test_update_post_may_not_empty_a_post_without_images():
    post = PostFactory(title="t", body="")
    with pytest.raises(ValidationError):
        update_post(post=post, title="  ")

    with_image = PostImageFactory().post
    update_post(post=with_image, title="", body="")
    with_image.refresh_from_db()
    assert (with_image.title, with_image.body) == ("", "")


@pytest.mark.django_db
def test_delete_post_removes_its_likes_comments_images_and_files_after_commit(
    media_root, django_capture_on_commit_callbacks
):
    post = create_post(author_id=1, title="t", images=processed(2))
    other = PostFactory()
    like_post(user_id=2, post=post)
    like_post(user_id=2, post=other)
    add_comment(post=post, author_id=3, body="hi")
    files = [
        media_root / name for image in post.images.all() for name in (image.file, image.thumbnail)
    ]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete_post(post=post)
    assert all(path.is_file() for path in files)  # nothing is deleted before the commit

    for callback in callbacks:
        callback()
    assert not any(path.exists() for path in files)
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not PostImage.objects.filter(post_id=post.pk).exists()
    assert not Like.objects.filter(post_id=post.pk).exists()
    assert not Comment.objects.filter(post_id=post.pk).exists()
    assert Like.objects.filter(post=other).count() == 1


# --- likes -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_like_by_same_user_keeps_count_at_one():
    post = PostFactory()
    assert like_post(user_id=5, post=post) == (1, True)
    assert like_post(user_id=5, post=post) == (1, False)
    assert like_post(user_id=6, post=post) == (2, True)


@pytest.mark.django_db
def test_unlike_is_idempotent_and_keeps_the_count_exact():
    post = PostFactory()
    like_post(user_id=5, post=post)
    unlike_post(user_id=5, post=post)
    unlike_post(user_id=5, post=post)
    unlike_post(user_id=6, post=post)
    post.refresh_from_db()
    assert post.like_count == 0
    assert not Like.objects.exists()


@pytest.mark.django_db
def test_liking_a_deleted_post_is_not_found_and_leaves_no_like():
    post = PostFactory()
    Post.objects.filter(pk=post.pk).delete()
    with pytest.raises(NotFound):
        like_post(user_id=5, post=post)
    assert not Like.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_likes_by_one_user_leave_one_like_counted_once():
    post = PostFactory()

    results = run_concurrently(20, lambda _: like_post(user_id=77, post=post))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False] * 19 + [True]
    assert Like.objects.filter(post=post).count() == 1
    post.refresh_from_db()
    assert post.like_count == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_by_different_users_are_all_counted():
    post = PostFactory()

    results = run_concurrently(15, lambda i: like_post(user_id=100 + i, post=post))

    assert not [r for r in results if isinstance(r, Exception)], results
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() == 15


@pytest.mark.django_db(transaction=True)
def test_one_users_likes_and_unlikes_interleaved_never_fail_and_keep_the_count_exact():
    post = PostFactory()

    def toggle(i: int) -> None:
        for round_ in range(12):
            if (i + round_) % 2:
                like_post(user_id=7, post=post)
            else:
                unlike_post(user_id=7, post=post)

    results = run_concurrently(8, toggle)

    assert not [r for r in results if isinstance(r, Exception)], results
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() <= 1


@pytest.mark.django_db(transaction=True)
def test_a_like_whose_rival_was_unliked_before_get_or_create_read_it_is_created():
    """The exact interleaving, made deterministic with a queryset that times its reads (the
    rows and the constraint are real): the rival like is not yet visible to the first read,
    the insert collides with it, and an unlike commits before the read after the collision."""
    post = PostFactory()
    like_post(user_id=7, post=post)
    reads = []

    class UnlikedMeanwhile(QuerySet):
        def get(self, *args, **kwargs):
            reads.append(1)
            if len(reads) == 1:
                raise Like.DoesNotExist  # the rival had not committed yet
            if len(reads) == 2:
                run_concurrently(1, lambda _: unlike_post(user_id=7, post=post))
            return super().get(*args, **kwargs)

    with transaction.atomic():
        _, created = get_or_create_toggle(UnlikedMeanwhile(model=Like), post_id=post.pk, user_id=7)

    assert (created, len(reads), Like.objects.count()) == (True, 3, 1)
    assert Like.objects.filter(post=post, user_id=7).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_unlikes_decrement_once():
    post = PostFactory()
    like_post(user_id=5, post=post)
    like_post(user_id=6, post=post)

    results = run_concurrently(10, lambda _: unlike_post(user_id=5, post=post))

    assert not [r for r in results if isinstance(r, Exception)], results
    post.refresh_from_db()
    assert post.like_count == 1


# --- comments --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_comments_keep_the_comment_count_exact():
    post = PostFactory()
    first = add_comment(post=post, author_id=1, body="one")
    add_comment(post=post, author_id=2, body="two")
    delete_comment(comment=first)
    delete_comment(comment=first)  # already gone: no second decrement
    post.refresh_from_db()
    assert post.comment_count == 1 == Comment.objects.filter(post=post).count()


@pytest.mark.django_db
def test_commenting_on_a_deleted_post_is_not_found():
    post = PostFactory()
    Post.objects.filter(pk=post.pk).delete()
    with pytest.raises(NotFound):
        add_comment(post=post, author_id=1, body="late")
    assert not Comment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_deletes_of_one_comment_decrement_once():
    post = PostFactory()
    comment = add_comment(post=post, author_id=1, body="x")
    add_comment(post=post, author_id=1, body="y")

    run_concurrently(10, lambda _: delete_comment(comment=comment))

    post.refresh_from_db()
    assert post.comment_count == 1


# --- account deletion ------------------------------------------------------------------------


@pytest.mark.django_db
def test_delete_user_content_removes_everything_the_user_wrote_and_fixes_counters(
    media_root, django_capture_on_commit_callbacks
):
    gone, stays = 10, 20
    own = create_post(author_id=gone, title="mine", images=processed(1))
    files = [media_root / own.images.get().file, media_root / own.images.get().thumbnail]
    theirs = PostFactory(author_id=stays)
    like_post(user_id=gone, post=theirs)
    like_post(user_id=stays, post=theirs)
    like_post(user_id=stays, post=own)
    for body in ("a", "b"):
        add_comment(post=theirs, author_id=gone, body=body)
    add_comment(post=theirs, author_id=stays, body="c")

    with django_capture_on_commit_callbacks(execute=True):
        delete_user_content(user_id=gone)

    assert not Post.objects.filter(author_id=gone).exists()
    assert not Like.objects.filter(user_id=gone).exists()
    assert not Comment.objects.filter(author_id=gone).exists()
    assert not any(path.exists() for path in files)
    theirs.refresh_from_db()
    assert (theirs.like_count, theirs.comment_count) == (1, 1)
    assert Like.objects.filter(user_id=stays).count() == 1  # the like on the deleted post went


@pytest.mark.django_db
def test_counters_can_never_go_negative():
    post = PostFactory()
    LikeFactory(post=post)  # a like the counter never saw
    CommentFactory(post=post)
    with pytest.raises(IntegrityError, match="posts_like_count_not_negative"):
        unlike_post(user_id=Like.objects.get().user_id, post=post)
