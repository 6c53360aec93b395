"""Saved posts under the visibility policy: what the owner may no longer see drops out of the
bookmarks, the collections' posts and their counts, and what they may not see cannot be saved."""

import pytest

from authors.models import Author
from posts.models import Bookmark
from posts.tests.factories import AuthorFactory, PostFactory
from relationships.models import Follow
from relationships.tests.factories import BlockFactory
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db

AUTHOR, OWNER = 1, 2


@pytest.fixture
def saved(client_for):
    """A post by AUTHOR that OWNER bookmarked and put in a collection; OWNER's client and the
    collection's id."""
    AuthorFactory(id=AUTHOR)
    AuthorFactory(id=OWNER)
    post = PostFactory(author_id=AUTHOR)
    owner = client_for(OWNER)
    collection = owner.post("/api/v1/collections", {"name": "c"}, format="json").json()["id"]
    assert owner.put(f"/api/v1/collections/{collection}/posts/{post.pk}").status_code == 204
    return owner, collection, post


def listed(owner, collection) -> tuple[list, list, int]:
    return (
        [item["id"] for item in owner.get("/api/v1/bookmarks").json()["results"]],
        [
            item["id"]
            for item in owner.get(f"/api/v1/collections/{collection}/posts").json()["results"]
        ],
        owner.get(f"/api/v1/collections/{collection}").json()["post_count"],
    )


def test_a_saved_post_is_listed_while_its_owner_may_see_it(saved):
    owner, collection, post = saved
    assert listed(owner, collection) == ([post.pk], [post.pk], 1)


def test_a_post_of_an_account_gone_private_drops_out_until_followed(saved):
    owner, collection, post = saved
    Author.objects.filter(pk=AUTHOR).update(is_private=True)

    assert listed(owner, collection) == ([], [], 0)
    FollowFactory(follower_id=OWNER, followee_id=AUTHOR)
    assert listed(owner, collection) == ([post.pk], [post.pk], 1)
    Follow.objects.all().delete()
    assert listed(owner, collection) == ([], [], 0)


@pytest.mark.parametrize("direction", ["author blocks owner", "owner blocks author"])
def test_a_block_either_way_drops_the_post_out(saved, direction):
    owner, collection, _ = saved
    if direction == "author blocks owner":
        BlockFactory(blocker_id=AUTHOR, blocked_id=OWNER)
    else:
        BlockFactory(blocker_id=OWNER, blocked_id=AUTHOR)

    assert listed(owner, collection) == ([], [], 0)


@pytest.mark.parametrize("rule", ["private, not followed", "blocked by the author", "blocking"])
def test_a_post_the_caller_may_not_see_cannot_be_saved(client_for, rule):
    AuthorFactory(id=AUTHOR, is_private=rule.startswith("private"))
    post = PostFactory(author_id=AUTHOR)
    if rule == "blocked by the author":
        BlockFactory(blocker_id=AUTHOR, blocked_id=OWNER)
    elif rule == "blocking":
        BlockFactory(blocker_id=OWNER, blocked_id=AUTHOR)
    owner = client_for(OWNER)
    collection = owner.post("/api/v1/collections", {"name": "c"}, format="json").json()["id"]

    assert owner.post(f"/api/v1/posts/{post.pk}/bookmark").status_code == 404
    assert owner.put(f"/api/v1/collections/{collection}/posts/{post.pk}").status_code == 404
    assert not Bookmark.objects.exists()


def test_a_private_accounts_follower_saves_its_posts(client_for):
    AuthorFactory(id=AUTHOR, is_private=True)
    FollowFactory(follower_id=OWNER, followee_id=AUTHOR)
    post = PostFactory(author_id=AUTHOR)

    assert client_for(OWNER).post(f"/api/v1/posts/{post.pk}/bookmark").status_code == 201
