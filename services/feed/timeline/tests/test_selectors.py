"""timeline_page against real Postgres: whose posts, in which order, from any cursor."""

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from posts.models import Post
from posts.tests.factories import post_at
from shared.pagination import Cursor
from social.tests.factories import FollowFactory
from timeline.selectors import timeline_page

pytestmark = pytest.mark.django_db

# Inside the inboxes' window: the `settle` fixture runs each test from the inbox and merged.
T0 = timezone.now() - timedelta(days=2)


def key(post: Post) -> tuple[datetime, int]:
    return (post.created_at, post.pk)


def test_the_timeline_holds_the_viewers_posts_and_their_followees_newest_first(settle):
    FollowFactory(follower_id=1, followee_id=2)
    FollowFactory(follower_id=1, followee_id=3)
    FollowFactory(follower_id=4, followee_id=1)  # follows the viewer: not in the viewer's feed
    own = post_at(1, T0 + timedelta(minutes=3))
    followee = post_at(2, T0 + timedelta(minutes=5))
    other_followee = post_at(3, T0 + timedelta(minutes=1))
    post_at(4, T0 + timedelta(minutes=4))
    post_at(5, T0 + timedelta(minutes=2))

    settle()
    posts = timeline_page(viewer_id=1, cursor=None, limit=10)

    assert [p.id for p in posts] == [followee.pk, own.pk, other_followee.pk]


def test_a_viewer_who_follows_nobody_sees_their_own_posts(settle):
    mine = post_at(1, T0)
    post_at(2, T0)
    settle()

    assert [p.id for p in timeline_page(viewer_id=1, cursor=None, limit=10)] == [mine.pk]


def test_one_prolific_followee_cannot_crowd_out_the_merge(settle):
    # The per-author LIMIT must not cut a busy author's posts that belong on this page.
    FollowFactory(follower_id=1, followee_id=2)
    FollowFactory(follower_id=1, followee_id=3)
    busy = [post_at(2, T0 + timedelta(minutes=m)) for m in range(10, 20)]
    quiet = post_at(3, T0)

    settle()
    posts = timeline_page(viewer_id=1, cursor=None, limit=10)

    assert [p.id for p in posts] == [p.pk for p in reversed(busy)]
    assert quiet.pk not in [p.id for p in posts]


def test_every_page_from_any_cursor_matches_a_full_sort_including_ties(settle):
    rng = random.Random(6)
    viewer, followees = 1, [2, 3, 4, 5]
    for followee in followees:
        FollowFactory(follower_id=viewer, followee_id=followee)
    posts = [
        # 5 distinct instants for 60 posts: most posts tie on created_at with others.
        post_at(rng.choice([viewer, *followees, 6, 7]), T0 + timedelta(seconds=rng.randrange(5)))
        for _ in range(60)
    ]
    visible = sorted(
        (p for p in posts if p.author_id in {viewer, *followees}), key=key, reverse=True
    )
    settle()

    for boundary in [visible[0], visible[7], visible[20], visible[-1]]:
        older = timeline_page(viewer_id=viewer, cursor=Cursor(key(boundary)), limit=6)
        newer = timeline_page(viewer_id=viewer, cursor=Cursor(key(boundary), reverse=True), limit=6)
        at = visible.index(boundary)
        assert [p.id for p in older] == [p.pk for p in visible[at + 1 : at + 7]]
        # Backwards pages come oldest first; the paginator flips them.
        expected_newer = list(reversed(visible[max(0, at - 6) : at]))
        assert [p.id for p in newer] == [p.pk for p in expected_newer]


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_the_threshold_merge_matches_a_full_sort_when_authors_outnumber_the_page(limit, settle):
    # More authors than the page holds: the merge reads only the authors at or above the
    # horizon. Busy and quiet authors, tied instants, every cursor in both directions.
    rng = random.Random(limit)
    viewer, followees = 1, list(range(2, 14))
    for followee in followees:
        FollowFactory(follower_id=viewer, followee_id=followee)
    authors = [viewer, *followees, *followees[:3] * 4, 20]
    posts = [
        post_at(rng.choice(authors), T0 + timedelta(seconds=rng.randrange(25))) for _ in range(80)
    ]
    visible = sorted((p for p in posts if p.author_id != 20), key=key, reverse=True)

    settle()
    first = timeline_page(viewer_id=viewer, cursor=None, limit=limit)
    assert [p.id for p in first] == [p.pk for p in visible[:limit]]
    for at, boundary in enumerate(visible):
        older = timeline_page(viewer_id=viewer, cursor=Cursor(key(boundary)), limit=limit)
        newer = timeline_page(
            viewer_id=viewer, cursor=Cursor(key(boundary), reverse=True), limit=limit
        )
        assert [p.id for p in older] == [p.pk for p in visible[at + 1 : at + 1 + limit]]
        assert [p.id for p in newer] == [p.pk for p in reversed(visible[max(0, at - limit) : at])]


def test_posts_carry_liked_by_me_for_the_viewer(settle):
    FollowFactory(follower_id=1, followee_id=2)
    liked, unliked = post_at(2, T0), post_at(2, T0 + timedelta(seconds=1))
    liked.likes.create(user_id=1)

    settle()
    posts = {p.id: p for p in timeline_page(viewer_id=1, cursor=None, limit=10)}

    assert posts[liked.pk].liked_by_me is True
    assert posts[unliked.pk].liked_by_me is False


@pytest.mark.parametrize(
    "position",
    [
        (T0, "1"),  # an id that is not an int
        (5, 1),  # a created_at that is not a datetime
        (datetime(2026, 1, 1), 1),  # noqa: DTZ001 - a naive datetime is what is tested
    ],
)
def test_a_cursor_of_the_wrong_types_is_invalid(position):
    with pytest.raises(ValidationError):
        timeline_page(viewer_id=1, cursor=Cursor(position), limit=5)
