"""The Mastodon home timeline on the native page: the same posts, one statement a page, and
what changes without an edit read with every page."""

import pytest

from authors.models import Author
from posts.models import Bookmark, Like, PostImage
from posts.tests.factories import PostFactory
from social.models import UserStats
from social.tests.factories import FollowFactory
from timeline.services import fill_inboxes

pytestmark = pytest.mark.django_db

HOME = "/mastodon/api/v1/timelines/home"


@pytest.fixture(params=["inbox", "merge"])
def settle(request, settings):
    """Pages answered by the inboxes, and merged (as `timeline/tests/conftest.py`)."""
    if request.param == "merge":
        settings.TIMELINE_INBOX_DAYS = 0
        return lambda: None
    return fill_inboxes


@pytest.fixture
def world(settle):
    Author.objects.bulk_create(
        [Author(id=i, username=f"u{i}", name=f"User {i}") for i in range(1, 12)]
    )
    UserStats.objects.bulk_create(
        [UserStats(user_id=i, posts_count=10, followers_count=i) for i in range(1, 12)]
    )
    for followee in range(2, 12):
        FollowFactory(follower_id=1, followee_id=followee)
    for n in range(50):
        post = PostFactory(author_id=1 + n % 11, body=f"n{n}")
        PostImage.objects.create(
            post=post, position=0, file=f"p/{n}.jpg", thumbnail=f"p/{n}_t.jpg", width=4, height=3
        )
        if n % 2:
            Like.objects.create(post=post, user_id=1)
    settle()


@pytest.mark.parametrize("size", [1, 20, 40])
def test_a_page_costs_what_the_native_page_costs(
    world, client_for, size, django_assert_num_queries
):
    reader = client_for(1)
    native = reader.get(f"/api/v1/feed?page_size={size}").json()["results"]
    # the caller's deleted-account check and the native page's statement with the authors'
    # Accounts joined on (mastodon_api.selectors.home_page); the native page rendered the
    # posts' contents already, and the Statuses are kept after the first page
    with django_assert_num_queries(2):
        first = reader.get(HOME, {"limit": size})
    with django_assert_num_queries(2):
        again = reader.get(HOME, {"limit": size})
    assert again.json() == first.json()
    statuses = first.json()
    assert [s["id"] for s in statuses] == [str(post["id"]) for post in native]
    for status, post in zip(statuses, native, strict=True):
        assert status["account"]["username"] == post["author"]["username"]
        assert status["account"]["display_name"] == f"User {post['author']['id']}"
        assert status["account"]["followers_count"] == post["author"]["id"]
        assert status["favourites_count"] == post["like_count"]
        assert status["favourited"] is post["liked_by_me"]
        assert len(status["media_attachments"]) == 1
        assert status["content"] == f"<p>{post['title']}</p><p>{post['body']}</p>"


def test_what_changes_without_an_edit_is_read_every_page(world, client_for):
    reader = client_for(1)
    top = reader.get(HOME, {"limit": 1}).json()[0]
    post_id, author_id = int(top["id"]), int(top["account"]["id"])
    Like.objects.filter(post_id=post_id).delete()
    Bookmark.objects.create(post_id=post_id, user_id=1)
    Author.objects.filter(id=author_id).update(name="Renamed", is_private=True)
    UserStats.objects.filter(user_id=author_id).update(followers_count=99)

    again = reader.get(HOME, {"limit": 1}).json()[0]
    assert again["id"] == top["id"]
    assert (again["favourited"], again["favourites_count"], again["bookmarked"]) == (
        False,
        0,
        True,
    )
    account = again["account"]
    assert (account["display_name"], account["locked"], account["followers_count"]) == (
        "Renamed",
        True,
        99,
    )
    assert again["visibility"] == "private"
    assert {k: v for k, v in again.items() if k not in LIVE} == {
        k: v for k, v in top.items() if k not in LIVE
    }


LIVE = {"account", "visibility", "favourites_count", "favourited", "bookmarked"}
