"""/api/v1/users/{id}/stats: the contract's row."""

import pytest

from posts.tests.factories import AuthorFactory
from social.tests.factories import UserStatsFactory

pytestmark = pytest.mark.django_db


def test_stats_show_the_stored_counters_and_whether_the_caller_follows(client_for):
    AuthorFactory(id=2)
    client_for(1).post("/api/v1/users/2/follow")
    client_for(2).post("/api/v1/posts", {"title": "hello"}, format="json")

    as_follower = client_for(1).get("/api/v1/users/2/stats")
    as_other = client_for(3).get("/api/v1/users/2/stats/")

    assert as_follower.status_code == 200
    assert as_follower.json() == {
        "user_id": 2,
        "posts_count": 1,
        "followers_count": 1,
        "following_count": 0,
        "followed_by_me": True,
        "follow_requested_by_me": False,
        "blocked_by_me": False,
        "muted_by_me": False,
    }
    assert as_other.json()["followed_by_me"] is False
    assert client_for(1).get("/api/v1/users/1/stats").json()["following_count"] == 1


def test_anonymous_callers_see_the_counts_and_followed_by_me_false(client):
    UserStatsFactory(user_id=7, posts_count=3, followers_count=2, following_count=1)

    response = client.get("/api/v1/users/7/stats")

    assert response.status_code == 200
    assert response.json() == {
        "user_id": 7,
        "posts_count": 3,
        "followers_count": 2,
        "following_count": 1,
        "followed_by_me": False,
        "follow_requested_by_me": False,
        "blocked_by_me": False,
        "muted_by_me": False,
    }


def test_a_user_without_counters_has_zeros(client):
    assert client.get("/api/v1/users/12345/stats").json() == {
        "user_id": 12345,
        "posts_count": 0,
        "followers_count": 0,
        "following_count": 0,
        "followed_by_me": False,
        "follow_requested_by_me": False,
        "blocked_by_me": False,
        "muted_by_me": False,
    }


def test_stats_cost_three_queries(client_for, django_assert_num_queries):
    UserStatsFactory(user_id=7)
    # the caller's deleted-account check (authors.authentication), the counters, followed_by_me
    with django_assert_num_queries(3):
        client_for(1).get("/api/v1/users/7/stats")
