"""The social selectors against real Postgres."""

import pytest

from social.selectors import followed_by, followers_of, is_following, user_stats
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db


def test_is_following_is_directional_and_false_for_anonymous_viewers():
    FollowFactory(follower_id=1, followee_id=2)

    assert is_following(follower_id=1, followee_id=2) is True
    assert is_following(follower_id=2, followee_id=1) is False
    assert is_following(follower_id=None, followee_id=2) is False


def test_follow_lists_select_one_side_of_the_graph():
    FollowFactory(follower_id=1, followee_id=2)
    FollowFactory(follower_id=3, followee_id=2)
    FollowFactory(follower_id=2, followee_id=4)

    assert sorted(f.follower_id for f in followers_of(2)) == [1, 3]
    assert [f.followee_id for f in followed_by(2)] == [4]


def test_stats_of_a_user_without_counters_are_zeros_without_a_row(django_assert_num_queries):
    with django_assert_num_queries(1):
        stats = user_stats(5, viewer_id=None)
    assert stats == {
        "user_id": 5,
        "posts_count": 0,
        "followers_count": 0,
        "following_count": 0,
        "followed_by_me": False,
    }
