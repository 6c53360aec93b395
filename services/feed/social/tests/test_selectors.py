"""The social selectors against real Postgres."""

import pytest

from relationships.tests.factories import BlockFactory, FollowRequestFactory, MuteFactory
from social.selectors import followed_by, followers_of, user_stats
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db


def test_how_the_viewer_stands_is_directional_and_false_for_anonymous_viewers(
    django_assert_num_queries,
):
    FollowFactory(follower_id=1, followee_id=2)
    FollowRequestFactory(requester_id=1, target_id=3)
    BlockFactory(blocker_id=1, blocked_id=4)
    MuteFactory(muter_id=1, muted_id=2)
    relation = ("followed_by_me", "follow_requested_by_me", "blocked_by_me", "muted_by_me")

    def flags(viewer_id, user_id):
        return tuple(user_stats(user_id, viewer_id=viewer_id)[key] for key in relation)

    assert flags(1, 2) == (True, False, False, True)
    assert flags(1, 3) == (False, True, False, False)
    assert flags(1, 4) == (False, False, True, False)
    assert flags(2, 1) == (False, False, False, False)
    assert flags(None, 2) == (False, False, False, False)
    with django_assert_num_queries(2):
        user_stats(2, viewer_id=1)


def test_follow_lists_select_one_side_of_the_graph():
    FollowFactory(follower_id=1, followee_id=2)
    FollowFactory(follower_id=3, followee_id=2)
    FollowFactory(follower_id=2, followee_id=4)

    assert sorted(f.follower_id for f in followers_of(2, viewer_id=None)) == [1, 3]
    assert [f.followee_id for f in followed_by(2, viewer_id=None)] == [4]


def test_stats_of_a_user_without_counters_are_zeros_without_a_row(django_assert_num_queries):
    with django_assert_num_queries(1):
        stats = user_stats(5, viewer_id=None)
    assert stats == {
        "user_id": 5,
        "posts_count": 0,
        "followers_count": 0,
        "following_count": 0,
        "followed_by_me": False,
        "follow_requested_by_me": False,
        "blocked_by_me": False,
        "muted_by_me": False,
    }
