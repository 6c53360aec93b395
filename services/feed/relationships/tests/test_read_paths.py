"""The visibility policy on every read path of posts and follows, through the API
(docs/visibility.md lists each path with the test here that covers it), and what it costs:
no query per row, pages full.

The world: ANN's content is read by BOB (the viewer), CAT is a third account.
"""

import pytest

from authors.models import Author
from posts.models import Post
from posts.tests.factories import AuthorFactory, CommentFactory, LikeFactory, PostFactory
from relationships.tests.factories import BlockFactory, MuteFactory
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db

ANN, BOB, CAT = 1, 2, 3
HIDDEN = ["private", "ann blocks bob", "bob blocks ann"]


@pytest.fixture
def post() -> Post:
    for user_id, name in ((ANN, "ann"), (BOB, "bob"), (CAT, "cat")):
        AuthorFactory(id=user_id, username=name)
    return PostFactory(author_id=ANN)


def hide(how: str) -> None:
    """Make ANN's content invisible to BOB in one of the policy's ways."""
    if how == "private":
        Author.objects.filter(pk=ANN).update(is_private=True)
    elif how == "ann blocks bob":
        BlockFactory(blocker_id=ANN, blocked_id=BOB)
    else:
        BlockFactory(blocker_id=BOB, blocked_id=ANN)


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- a single post, its comments and likers: 404 ---------------------------------------------


@pytest.mark.parametrize("how", HIDDEN)
def test_a_post_its_comments_and_likers_are_404_to_a_viewer_who_may_not_see_its_author(
    post, how, client, client_for
):
    hide(how)
    bob = client_for(BOB)
    for path in ("", "/comments", "/likes"):
        response = bob.get(f"/api/v1/posts/{post.pk}{path}")
        assert response.status_code == 404, path
        assert set(response.json()) == {"detail"}
        assert client_for(CAT).get(f"/api/v1/posts/{post.pk}{path}").status_code == (
            404 if how == "private" else 200
        )
        assert client_for(ANN).get(f"/api/v1/posts/{post.pk}{path}").status_code == 200
    anonymous = client.get(f"/api/v1/posts/{post.pk}").status_code
    assert anonymous == (404 if how == "private" else 200)


@pytest.mark.parametrize("how", HIDDEN)
def test_writes_on_a_post_the_writer_may_not_see_are_404(post, how, client_for):
    hide(how)
    bob = client_for(BOB)
    assert bob.post(f"/api/v1/posts/{post.pk}/like").status_code == 404
    assert bob.delete(f"/api/v1/posts/{post.pk}/like").status_code == 404
    assert bob.post(f"/api/v1/posts/{post.pk}/comments", {"body": "hi"}).status_code == 404
    assert bob.patch(f"/api/v1/posts/{post.pk}", {"title": "x"}).status_code == 404
    assert bob.delete(f"/api/v1/posts/{post.pk}").status_code == 404
    assert Post.objects.filter(pk=post.pk, like_count=0, comment_count=0).exists()


def test_an_accepted_follower_sees_a_private_post_and_may_like_it(post, client_for):
    hide("private")
    FollowFactory(follower_id=BOB, followee_id=ANN)
    bob = client_for(BOB)
    assert bob.get(f"/api/v1/posts/{post.pk}").status_code == 200
    assert bob.post(f"/api/v1/posts/{post.pk}/like").status_code == 201


@pytest.mark.parametrize("list_path", ["comments", "likes"])
def test_comments_and_likers_in_a_block_with_the_viewer_are_left_out_pages_full(
    post, list_path, client_for, django_assert_num_queries
):
    # CAT's comments and likes, then ten others; BOB blocks CAT, and user 20 blocks BOB.
    for user_id in (CAT, 20, *range(30, 40)):
        if user_id != CAT:
            AuthorFactory(id=user_id)
        CommentFactory(post=post, author_id=user_id)
        LikeFactory(post=post, user_id=user_id)
    BlockFactory(blocker_id=BOB, blocked_id=CAT)
    BlockFactory(blocker_id=20, blocked_id=BOB)
    key = "author" if list_path == "comments" else None

    def ids(client, size=5) -> list[int]:
        page = results(client.get(f"/api/v1/posts/{post.pk}/{list_path}?page_size={size}"))
        return [item[key]["id"] if key else item["id"] for item in page]

    bob = client_for(BOB)
    # the caller's check, then the post's visibility, the page, the summaries: one statement
    # for the comments (posts.selectors.comment_rows), three for the likers
    with django_assert_num_queries(2 if list_path == "comments" else 4):
        seen = ids(bob)
    assert len(seen) == 5
    assert not {CAT, 20} & set(seen)
    assert not {CAT, 20} & set(ids(bob, size=100))
    assert {CAT, 20} <= set(ids(client_for(ANN), size=100))


# --- a user's posts, followers and following: 403 for a private account ----------------------


@pytest.mark.parametrize("list_path", ["posts", "followers", "following"])
def test_a_private_accounts_lists_are_403_to_a_non_follower_and_its_stats_stay_visible(
    post, list_path, client, client_for
):
    FollowFactory(follower_id=CAT, followee_id=ANN)
    FollowFactory(follower_id=ANN, followee_id=CAT)
    hide("private")
    for caller in (client_for(BOB), client):
        response = caller.get(f"/api/v1/users/{ANN}/{list_path}")
        assert response.status_code == 403
        assert set(response.json()) == {"detail"}
        stats = caller.get(f"/api/v1/users/{ANN}/stats")
        assert stats.status_code == 200
        assert stats.json()["followers_count"] == 0  # the factories count nothing
    assert len(results(client_for(CAT).get(f"/api/v1/users/{ANN}/{list_path}"))) == 1
    assert len(results(client_for(ANN).get(f"/api/v1/users/{ANN}/{list_path}"))) == 1


def test_a_private_account_without_posts_is_still_403_and_an_empty_public_one_200(post, client_for):
    Post.objects.all().delete()
    assert results(client_for(BOB).get(f"/api/v1/users/{ANN}/posts")) == []
    hide("private")
    assert client_for(BOB).get(f"/api/v1/users/{ANN}/posts").status_code == 403


@pytest.mark.parametrize("how", ["ann blocks bob", "bob blocks ann"])
@pytest.mark.parametrize("list_path", ["posts", "followers", "following"])
def test_an_account_in_a_block_with_the_viewer_has_empty_lists_private_or_not(
    post, how, list_path, client_for
):
    FollowFactory(follower_id=CAT, followee_id=ANN)
    FollowFactory(follower_id=ANN, followee_id=CAT)
    hide(how)
    assert results(client_for(BOB).get(f"/api/v1/users/{ANN}/{list_path}")) == []
    Author.objects.filter(pk=ANN).update(is_private=True)
    assert results(client_for(BOB).get(f"/api/v1/users/{ANN}/{list_path}")) == []


def test_followers_and_following_leave_out_users_in_a_block_with_the_viewer(post, client_for):
    for user_id in (CAT, 20, 21):
        FollowFactory(follower_id=user_id, followee_id=ANN)
        FollowFactory(follower_id=ANN, followee_id=user_id)
    BlockFactory(blocker_id=BOB, blocked_id=CAT)
    BlockFactory(blocker_id=20, blocked_id=BOB)
    bob = client_for(BOB)
    followers = results(bob.get(f"/api/v1/users/{ANN}/followers"))
    following = results(bob.get(f"/api/v1/users/{ANN}/following"))
    assert [user["id"] for user in followers] == [user["id"] for user in following] == [21]


def test_a_mute_hides_nothing_outside_the_home_timeline(post, client_for):
    MuteFactory(muter_id=BOB, muted_id=ANN)
    bob = client_for(BOB)
    assert bob.get(f"/api/v1/posts/{post.pk}").status_code == 200
    assert len(results(bob.get(f"/api/v1/users/{ANN}/posts"))) == 1


# --- what it costs ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 20, 100])
@pytest.mark.parametrize("follows", [False, True])
def test_a_private_accounts_posts_cost_the_same_queries_whatever_the_page_size(
    post, size, follows, client_for, django_assert_num_queries
):
    for _ in range(size):
        PostFactory(author_id=ANN)
    hide("private")
    BlockFactory(blocker_id=CAT, blocked_id=BOB)
    MuteFactory(muter_id=BOB, muted_id=ANN)
    if follows:
        FollowFactory(follower_id=BOB, followee_id=ANN)
    bob = client_for(BOB)
    bob.get(f"/api/v1/users/{ANN}/posts?page_size={size}")  # render the posts once

    # the caller's check and the page's statement; a page with no rows adds one query to tell
    # a private account from an empty list
    with django_assert_num_queries(2 if follows else 3):
        response = bob.get(f"/api/v1/users/{ANN}/posts?page_size={size}")
    assert response.status_code == (200 if follows else 403)
    if follows:
        assert len(results(response)) == size


@pytest.mark.parametrize("size", [1, 20, 100])
def test_followers_of_a_private_account_cost_the_same_queries_whatever_the_page_size(
    post, size, client_for, django_assert_num_queries
):
    hide("private")
    FollowFactory(follower_id=BOB, followee_id=ANN)
    for user_id in range(100, 100 + size):
        AuthorFactory(id=user_id)
        FollowFactory(follower_id=user_id, followee_id=ANN)
        BlockFactory(blocker_id=BOB, blocked_id=user_id + 1000)
    # the caller's check, the page, the summaries
    with django_assert_num_queries(3):
        page = results(client_for(BOB).get(f"/api/v1/users/{ANN}/followers?page_size={size}"))
    assert len(page) == size
