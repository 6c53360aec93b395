"""/api/v1/explore/posts and /api/v1/explore/tags: the contract's rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from authors.models import Author
from discovery.models import TrendingCount
from discovery.services import refresh_trending_tags
from posts.models import Post, PostTag
from posts.tests.factories import AuthorFactory, PostFactory, post_at
from relationships.tests.factories import BlockFactory, MuteFactory
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db

VIEWER = 9


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [post["id"] for post in response.json()["results"]]


def engaged(post: Post, *, likes: int = 0, comments: int = 0) -> Post:
    # The counters alone: explore reads nothing else of the likes and comments.
    Post.objects.filter(pk=post.pk).update(like_count=likes, comment_count=comments)
    return post


def aged(author_id: int, hours: float) -> Post:
    return post_at(author_id, timezone.now() - timedelta(hours=hours))


def test_posts_rank_by_engagement_halving_with_every_day_of_age(client):
    for author in (1, 2, 3, 4):
        AuthorFactory(id=author)
    quiet_new = aged(1, 1)
    liked_new = engaged(aged(2, 1), likes=10)
    commented_new = engaged(aged(3, 1), comments=6)
    # (1 + 40) halved twice: ~10.25, below the new posts' 13 and 11, above the quiet one's 1
    liked_old = engaged(aged(4, 49), likes=40)

    assert ids(client.get("/api/v1/explore/posts")) == [
        commented_new.pk,
        liked_new.pk,
        liked_old.pk,
        quiet_new.pk,
    ]


def test_only_posts_of_the_window_by_public_accounts_are_explored(client, settings):
    AuthorFactory(id=1)
    AuthorFactory(id=2, is_private=True)
    recent = aged(1, 24 * 6)
    aged(1, 24 * 8)
    aged(2, 1)

    assert ids(client.get("/api/v1/explore/posts")) == [recent.pk]


def test_with_a_token_the_callers_own_followed_blocked_and_muted_accounts_are_left_out(
    client, client_for
):
    for author in (1, 2, 3, 4, 5, 6, VIEWER):
        AuthorFactory(id=author)
    posts = {author: aged(author, author) for author in (1, 2, 3, 4, 5, 6, VIEWER)}
    FollowFactory(follower_id=VIEWER, followee_id=1)
    BlockFactory(blocker_id=VIEWER, blocked_id=2)
    BlockFactory(blocker_id=3, blocked_id=VIEWER)
    MuteFactory(muter_id=VIEWER, muted_id=4)

    assert ids(client_for(VIEWER).get("/api/v1/explore/posts")) == [posts[5].pk, posts[6].pk]
    assert len(ids(client.get("/api/v1/explore/posts"))) == 7


def test_an_account_gone_private_leaves_explore_even_for_its_followers(client_for):
    AuthorFactory(id=1)
    aged(1, 1)
    FollowFactory(follower_id=VIEWER, followee_id=1)
    Author.objects.filter(pk=1).update(is_private=True)

    assert ids(client_for(2).get("/api/v1/explore/posts")) == []


def test_paging_visits_every_post_once_in_rank_order_while_posts_arrive_and_rank_moves(client):
    AuthorFactory(id=1)
    posts = [engaged(aged(1, 1), likes=i) for i in range(9)]
    expected = [post.pk for post in reversed(posts)]

    seen, url = [], "/api/v1/explore/posts?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [post["id"] for post in page["results"]]
        url = page["next"]
        # New posts rank above the cursor: a page already read, not a page to come.
        engaged(PostFactory(author_id=1), likes=100)

    assert seen == expected


def test_previous_walks_explore_back(client):
    AuthorFactory(id=1)
    posts = [engaged(aged(1, 1), likes=i) for i in range(5)]
    first = client.get("/api/v1/explore/posts?page_size=2").json()
    second = client.get(first["next"]).json()

    back = client.get(second["previous"]).json()

    assert [post["id"] for post in back["results"]] == [posts[4].pk, posts[3].pk]
    assert back["previous"] is None


def test_a_cursor_that_is_not_a_score_and_id_is_a_400(client):
    from shared.pagination import Cursor, KeysetPagination

    wrong = KeysetPagination().encode_cursor(Cursor((timezone.now(), 1)))
    assert client.get(f"/api/v1/explore/posts?cursor={wrong}").status_code == 400


@pytest.mark.parametrize("size", [1, 20, 100])
def test_an_explore_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    AuthorFactory(id=1)
    for i in range(size):
        engaged(aged(1, 1), likes=i)

    # the caller's deleted-account check, the page's statement, then (the first time) the
    # contents of the posts not rendered yet
    with django_assert_num_queries(3):
        response = client_for(2).get(f"/api/v1/explore/posts?page_size={size}")
    with django_assert_num_queries(2):
        again = client_for(2).get(f"/api/v1/explore/posts?page_size={size}")

    assert len(ids(response)) == size
    assert again.json() == response.json()


def write(client, body: str) -> None:
    assert client.post("/api/v1/posts", {"body": body}, format="json").status_code == 201


def test_trending_tags_are_the_most_used_of_the_window_by_public_accounts(client, client_for):
    AuthorFactory(id=3, is_private=True)
    for _ in range(3):
        write(client_for(1), "#top")
    for _ in range(2):
        write(client_for(2), "#second #top")
    write(client_for(1), "#third")
    for _ in range(5):
        write(client_for(3), "#secret")
    write(client_for(1), "#old #old2")
    long_ago = timezone.now() - timedelta(days=8)
    PostTag.objects.filter(tag__name__startswith="old").update(created_at=long_ago)

    refresh_trending_tags()
    response = client.get("/api/v1/explore/tags")

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"name": "top", "post_count": 5},
            {"name": "second", "post_count": 2},
            {"name": "third", "post_count": 1},
        ]
    }


def test_at_most_twenty_tags_trend(client, client_for):
    write(client_for(1), " ".join(f"#t{i}" for i in range(25)))

    refresh_trending_tags()

    assert len(client.get("/api/v1/explore/tags").json()["results"]) == 20


def test_a_read_counts_the_tags_afresh_when_the_last_count_is_stale(client, client_for, settings):
    settings.TRENDING_TAGS_MAX_AGE_SECONDS = 900
    refresh_trending_tags()
    write(client_for(1), "#later")

    # Counted a moment ago: the list is that count's.
    assert client.get("/api/v1/explore/tags").json() == {"results": []}

    TrendingCount.objects.update(counted_at=timezone.now() - timedelta(seconds=901))
    assert client.get("/api/v1/explore/tags").json() == {
        "results": [{"name": "later", "post_count": 1}]
    }


def test_with_no_count_yet_a_read_counts(client, client_for):
    write(client_for(1), "#first")

    assert client.get("/api/v1/explore/tags").json()["results"] == [
        {"name": "first", "post_count": 1}
    ]
