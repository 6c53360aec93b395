"""The posts selectors: pages that cost a fixed number of queries whatever their size."""

import pytest

from authors.api.serializers import UserSummarySerializer
from posts.api.rendering import render_comments
from posts.selectors import (
    comment_rows,
    get_post_row,
    post_contents,
    post_likes,
    user_post_rows,
)
from posts.services import like_post
from posts.tests.factories import (
    AuthorFactory,
    CommentFactory,
    LikeFactory,
    PostFactory,
    PostImageFactory,
)
from relationships.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db


def test_liked_by_me_is_true_only_for_the_viewer_who_liked():
    liked, not_liked = PostFactory(), PostFactory()
    like_post(user_id=5, post=liked)

    def liked_by(viewer_id: int | None) -> dict[int, bool]:
        return {
            post.pk: get_post_row(post.pk, viewer_id=viewer_id).liked_by_me
            for post in (liked, not_liked)
        }

    assert liked_by(5) == {liked.pk: True, not_liked.pk: False}
    assert liked_by(6) == liked_by(None) == {liked.pk: False, not_liked.pk: False}


def test_images_come_in_upload_order():
    post = PostFactory()
    for position in (2, 0, 1):
        PostImageFactory(post=post, position=position)
    [content] = post_contents([post.pk])
    assert [image.file for image in content.images] == [
        f"posts/test/{post.pk}-{position}.jpg" for position in (0, 1, 2)
    ]


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_page_of_post_rows_is_one_query_whatever_its_size(size, django_assert_num_queries):
    author = AuthorFactory(avatar_url="https://cdn.example/a.png")
    for _ in range(size):
        post = PostFactory(author_id=author.id)
        for position in (1, 0):
            PostImageFactory(post=post, position=position, width=10 + position)
        LikeFactory(post=post, user_id=1)

    with django_assert_num_queries(1):
        rows = user_post_rows(author.id, viewer_id=1, cursor=None, limit=size)

    assert len(rows) == size
    assert all(row.liked_by_me for row in rows)
    assert all(
        row.author
        == {"id": author.id, "username": author.username, "avatar_url": author.avatar_url}
        for row in rows
    )


def test_post_rows_leave_authors_the_replica_lacks_to_the_renderer():
    post = PostFactory(author_id=424242)
    row = get_post_row(post.pk)
    assert row.author is None
    assert row.liked_by_me is False


@pytest.mark.parametrize("size", [1, 20, 100])
def test_post_contents_read_any_number_of_posts_in_one_query(size, django_assert_num_queries):
    posts = [PostFactory() for _ in range(size)]
    for post in posts:
        for position in (1, 0):
            PostImageFactory(post=post, position=position, width=10 + position)
    text_only = PostFactory()

    with django_assert_num_queries(1):
        contents = post_contents([post.pk for post in [*posts, text_only]])

    by_id = {content.id: content for content in contents}
    assert all([image.width for image in by_id[post.pk].images] == [10, 11] for post in posts)
    assert by_id[text_only.pk].images == []


@pytest.mark.parametrize("size", [1, 20, 100])
def test_pages_of_comments_cost_one_query_and_likers_two_with_the_viewers_blocks_applied(
    size, django_assert_num_queries
):
    post = PostFactory()
    viewer = AuthorFactory()
    for index in range(size + 2):
        author = AuthorFactory()
        CommentFactory(post=post, author_id=author.id)
        LikeFactory(post=post, user_id=author.id)
        if index == 0:
            BlockFactory(blocker_id=viewer.id, blocked_id=author.id)
        if index == 1:
            BlockFactory(blocker_id=author.id, blocked_id=viewer.id)

    for viewer_id in (viewer.id, None):
        with django_assert_num_queries(1):
            comments = render_comments(
                comment_rows(post_id=post.pk, viewer_id=viewer_id, cursor=None, limit=size)
            )
        with django_assert_num_queries(2):
            likers = UserSummarySerializer(
                [like.user_id for like in post_likes(post.pk, viewer_id=viewer_id)[:size]],
                many=True,
            ).data
        assert len(comments) == len(likers) == size
