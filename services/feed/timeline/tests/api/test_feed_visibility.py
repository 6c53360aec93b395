"""The home timeline under the visibility policy, answered by the inbox and merged (`settle`):
blocks either way and the viewer's mutes take an account's posts out, pages stay full, and the
cost per page does not change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from authors.models import Author
from posts.tests.factories import post_at
from relationships.tests.factories import BlockFactory, MuteFactory
from social.tests.factories import FollowFactory
from timeline.models import InboxEntry

pytestmark = pytest.mark.django_db

VIEWER = 1


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [post["id"] for post in response.json()["results"]]


@pytest.fixture
def world():
    """The viewer follows 2..6, each with 5 posts a minute apart, newest by 6."""
    Author.objects.bulk_create([Author(id=i, username=f"u{i}") for i in range(1, 8)])
    start = timezone.now() - timedelta(hours=1)
    posts = {}
    for followee in range(2, 7):
        FollowFactory(follower_id=VIEWER, followee_id=followee)
        posts[followee] = [
            post_at(followee, start + timedelta(minutes=5 * n + followee)).pk for n in range(5)
        ]
    return posts


@pytest.mark.parametrize("how", ["mute", "viewer blocks", "blocks viewer"])
def test_a_muted_or_blocked_followee_leaves_the_timeline_and_pages_stay_full(
    world, how, client_for, settle
):
    settle()
    if how == "mute":
        MuteFactory(muter_id=VIEWER, muted_id=6)
    elif how == "viewer blocks":
        BlockFactory(blocker_id=VIEWER, blocked_id=6)
    else:
        BlockFactory(blocker_id=6, blocked_id=VIEWER)
    # A block made through the services also removes the follow and the inbox entries; these
    # rows alone show the read filters them (an inbox entry left behind included).
    assert InboxEntry.objects.filter(owner_id=VIEWER).count() in (0, 25)

    viewer = client_for(VIEWER)
    first = viewer.get("/api/v1/feed?page_size=6")
    page = ids(first)
    assert len(page) == 6
    assert not set(page) & set(world[6])
    seen = list(page)
    cursor = first.json()["next"]
    while cursor:
        response = viewer.get(cursor)
        seen += ids(response)
        cursor = response.json()["next"]
    assert sorted(seen) == sorted(pk for followee in range(2, 6) for pk in world[followee])


def test_the_muted_account_sees_its_own_timeline_unchanged(world, client_for, settle):
    FollowFactory(follower_id=6, followee_id=VIEWER)
    mine = post_at(VIEWER, timezone.now() - timedelta(minutes=1)).pk
    settle()
    MuteFactory(muter_id=VIEWER, muted_id=6)
    assert mine in ids(client_for(6).get("/api/v1/feed"))


@pytest.mark.parametrize("size", [1, 20])
def test_a_page_with_blocks_and_mutes_costs_the_same_three_queries(
    world, size, client_for, django_assert_num_queries, settle
):
    settle()
    MuteFactory(muter_id=VIEWER, muted_id=6)
    BlockFactory(blocker_id=5, blocked_id=VIEWER)
    for other in range(100, 110):
        BlockFactory(blocker_id=VIEWER, blocked_id=other)
        MuteFactory(muter_id=VIEWER, muted_id=other + 100)
    # the caller's check, the page's statement, the contents of posts not rendered yet
    with django_assert_num_queries(3):
        page = ids(client_for(VIEWER).get(f"/api/v1/feed?page_size={size}"))
    # 2, 3 and 4's posts: 6 is muted and 5 blocks the viewer.
    assert len(page) == min(size, 15)
