"""/api/v1/users/suggested: friends of friends, most followed by the caller's followees first."""

import pytest

from discovery.selectors import suggested_accounts
from posts.tests.factories import AuthorFactory
from relationships.tests.factories import BlockFactory, MuteFactory
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db

ME = 1


def follows(follower: int, *followees: int) -> None:
    for followee in followees:
        FollowFactory(follower_id=follower, followee_id=followee)


def test_suggestions_are_followees_of_followees_by_mutual_count(client_for):
    for user in range(1, 20):
        AuthorFactory(id=user)
    follows(ME, 2, 3, 4)
    follows(2, 10, 11, 3, ME)
    follows(3, 10, 11, 12)
    follows(4, 10)

    response = client_for(ME).get("/api/v1/users/suggested")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": 10, "username": "user10", "avatar_url": None, "mutual_count": 3},
        {"id": 11, "username": "user11", "avatar_url": None, "mutual_count": 2},
        {"id": 12, "username": "user12", "avatar_url": None, "mutual_count": 1},
    ]


def test_blocked_and_muted_accounts_are_not_suggested(client_for):
    follows(ME, 2)
    follows(2, 10, 11, 12, 13)
    BlockFactory(blocker_id=ME, blocked_id=10)
    BlockFactory(blocker_id=11, blocked_id=ME)
    MuteFactory(muter_id=ME, muted_id=12)

    results = client_for(ME).get("/api/v1/users/suggested").json()["results"]

    assert [user["id"] for user in results] == [13]


def test_suggestions_need_a_token(client):
    assert client.get("/api/v1/users/suggested").status_code == 401


def test_paging_visits_every_suggestion_once(client_for):
    follows(ME, 2, 3)
    follows(2, *range(10, 17))
    follows(3, 10, 11, 12)

    seen, url = [], "/api/v1/users/suggested?page_size=2"
    while url:
        page = client_for(ME).get(url).json()
        seen += [(user["id"], user["mutual_count"]) for user in page["results"]]
        url = page["next"]

    assert seen == [(12, 2), (11, 2), (10, 2), (16, 1), (15, 1), (14, 1), (13, 1)]


def test_a_viewer_following_more_than_the_sample_counts_only_the_newest_follows(settings):
    # The sample's sizes are written into the statement: this checks the default bounds.
    assert (settings.SUGGESTION_FOLLOWEES, settings.SUGGESTION_FANOUT) == (100, 100)
    follows(ME, *range(1000, 1120))
    for followee in range(1000, 1120):
        follows(followee, 5)

    (only,) = suggested_accounts(viewer_id=ME, cursor=None, limit=20)

    assert only == {"id": 5, "mutual_count": 100}


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_suggestions_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    follows(ME, 2)
    for user in range(10, 10 + size):
        AuthorFactory(id=user)
        follows(2, user)

    # the caller's deleted-account check, the page, then the page's summaries
    with django_assert_num_queries(3):
        response = client_for(ME).get(f"/api/v1/users/suggested?page_size={size}")

    assert len(response.json()["results"]) == size
