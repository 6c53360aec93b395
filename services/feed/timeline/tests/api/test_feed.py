"""/api/v1/feed: the contract's row, its cost per page and its cursors."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from authors.models import Author
from posts.models import Like, Post, PostImage
from posts.tests.factories import AuthorFactory, PostFactory, post_at
from posts.tests.shapes import POST_KEYS
from shared.pagination import Cursor, KeysetPagination
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    return [post["id"] for post in response.json()["results"]]


def test_the_feed_needs_a_token(client):
    response = client.get("/api/v1/feed")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_the_feed_is_the_callers_posts_and_their_followees_newest_first(client_for):
    AuthorFactory(id=1)
    AuthorFactory(id=2, username="bob")
    FollowFactory(follower_id=1, followee_id=2)
    start = timezone.now() - timedelta(hours=1)
    mine = post_at(1, start)
    theirs = post_at(2, start + timedelta(minutes=1))
    post_at(3, start + timedelta(minutes=2))  # not followed

    response = client_for(1).get("/api/v1/feed/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert ids(response) == [theirs.pk, mine.pk]
    assert set(body["results"][0]) == POST_KEYS
    assert body["results"][0]["author"] == {"id": 2, "username": "bob", "avatar_url": None}
    assert body["next"] is None
    assert body["previous"] is None


def test_following_and_unfollowing_through_the_api_changes_the_feed(client_for):
    AuthorFactory(id=2)
    theirs = PostFactory(author_id=2)
    reader = client_for(1)
    assert ids(reader.get("/api/v1/feed")) == []

    reader.post("/api/v1/users/2/follow")
    assert ids(reader.get("/api/v1/feed")) == [theirs.pk]

    reader.delete("/api/v1/users/2/follow")
    assert ids(reader.get("/api/v1/feed")) == []


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_feed_page_costs_three_queries_whatever_its_size(
    client_for, size, django_assert_num_queries, settle
):
    Author.objects.bulk_create([Author(id=i, username=f"u{i}") for i in range(1, 12)])
    for followee in range(2, 12):
        FollowFactory(follower_id=1, followee_id=followee)
    for n in range(110):
        post = PostFactory(author_id=1 + n % 11)
        PostImage.objects.create(
            post=post, position=0, file=f"p/{n}.jpg", thumbnail=f"p/{n}_t.jpg", width=4, height=3
        )
        Like.objects.create(post=post, user_id=1)
    settle()

    # the caller's deleted-account check (authors.authentication), one statement where the
    # inbox or the merge picks the page, read with liked_by_me and authors
    # (posts.selectors.post_rows), and one for the title, body and images of posts not
    # rendered yet (posts.api.rendering)
    with django_assert_num_queries(3):
        response = client_for(1).get(f"/api/v1/feed?page_size={size}")
    # rendered already: only the first two
    with django_assert_num_queries(2):
        again = client_for(1).get(f"/api/v1/feed?page_size={size}")

    assert again.json() == response.json()
    results = response.json()["results"]
    assert len(results) == size
    assert all(post["liked_by_me"] and len(post["images"]) == 1 for post in results)
    assert len({post["author"]["username"] for post in results}) == min(size, 11)


def test_a_deep_page_costs_the_same_queries(client_for, django_assert_num_queries, settle):
    FollowFactory(follower_id=1, followee_id=2)
    start = timezone.now() - timedelta(days=1)
    posts = [post_at(2, start + timedelta(seconds=s)) for s in range(30)]
    deep = KeysetPagination().encode_cursor(Cursor((start + timedelta(seconds=10), posts[10].pk)))
    AuthorFactory(id=2)
    settle()

    # as above: the caller's deleted-account check, the page's statement, the posts' contents
    with django_assert_num_queries(3):
        response = client_for(1).get(f"/api/v1/feed?page_size=5&cursor={deep}")

    assert ids(response) == [p.pk for p in reversed(posts[5:10])]


def test_paging_while_posts_arrive_never_repeats_or_skips_a_post(client_for, settle):
    for user_id in (1, 2, 3):
        AuthorFactory(id=user_id)
    FollowFactory(follower_id=1, followee_id=2)
    FollowFactory(follower_id=1, followee_id=3)
    # Several posts share a created_at, so the id alone must break ties across page edges.
    start = timezone.now() - timedelta(hours=1)
    existing = [post_at(1 + n % 3, start + timedelta(seconds=n // 4)) for n in range(23)]
    settle()
    reader = client_for(1)

    seen, url, pages = [], "/api/v1/feed?page_size=4", 0
    while url:
        response = reader.get(url)
        seen += ids(response)
        url = response.json()["next"]
        pages += 1
        # New posts by the reader and both followees arrive between every two pages.
        for author_id in (1, 2, 3):
            PostFactory(author_id=author_id)
        settle()

    expected = sorted(existing, key=lambda p: (p.created_at, p.pk), reverse=True)
    assert pages == 6
    assert seen == [p.pk for p in expected]


def test_previous_links_walk_back_to_the_first_page(client_for, settle):
    FollowFactory(follower_id=1, followee_id=2)
    start = timezone.now() - timedelta(hours=1)
    for n in range(12):
        post_at(1 + n % 2, start + timedelta(seconds=n))
    settle()
    reader = client_for(1)
    forward, url = [], "/api/v1/feed?page_size=5"
    while url:
        response = reader.get(url)
        forward.append(ids(response))
        last, url = response, response.json()["next"]

    backward, url = [], last.json()["previous"]
    while url:
        response = reader.get(url)
        backward.append(ids(response))
        url = response.json()["previous"]

    assert forward[0] == ids(reader.get("/api/v1/feed?page_size=5"))
    assert backward == list(reversed(forward[:-1]))


def test_the_link_header_equals_the_body_links(client_for, settle):
    start = timezone.now() - timedelta(hours=1)
    for n in range(7):
        post_at(1, start + timedelta(seconds=n))
    settle()
    reader = client_for(1)
    first = reader.get("/api/v1/feed?page_size=3")
    middle = reader.get(first.json()["next"])

    assert first["Link"] == f'<{first.json()["next"]}>; rel="next"'
    assert middle["Link"] == (
        f'<{middle.json()["next"]}>; rel="next", <{middle.json()["previous"]}>; rel="prev"'
    )


def test_bad_cursors_and_page_sizes_are_a_400(client_for):
    reader = client_for(1)
    wrong_types = KeysetPagination().encode_cursor(Cursor((7, 8)))
    for query in ("cursor=garbage", f"cursor={wrong_types}", "page_size=0", "page_size=x"):
        response = reader.get(f"/api/v1/feed?{query}")
        assert response.status_code == 400, query
        assert response["Content-Type"] == "application/json"


def test_a_page_size_over_100_is_capped(client_for):
    Post.objects.bulk_create([Post(author_id=1, title=f"p{n}") for n in range(105)])
    assert len(ids(client_for(1).get("/api/v1/feed?page_size=1000"))) == 100


def test_a_cursor_far_in_the_past_is_an_empty_page_with_a_way_back(client_for):
    post_at(1, datetime(2026, 1, 1, tzinfo=UTC))
    ancient = KeysetPagination().encode_cursor(Cursor((datetime(2000, 1, 1, tzinfo=UTC), 1)))

    body = client_for(1).get(f"/api/v1/feed?cursor={ancient}").json()

    assert body["results"] == []
    assert body["next"] is None
    assert body["previous"] is not None
