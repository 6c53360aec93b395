"""/api/v1/posts/{id}/bookmark and /api/v1/bookmarks: the contract's rows."""

import pytest

from posts.models import Bookmark
from posts.tests.factories import AuthorFactory, PostFactory
from posts.tests.shapes import POST_KEYS
from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db


def test_the_first_bookmark_is_201_and_a_repeat_is_200(client_for):
    post = PostFactory()
    saver = client_for(5)

    first = saver.post(f"/api/v1/posts/{post.pk}/bookmark")
    again = saver.post(f"/api/v1/posts/{post.pk}/bookmark/")

    assert (first.status_code, first.json()) == (201, {"bookmarked": True})
    assert (again.status_code, again.json()) == (200, {"bookmarked": True})
    assert Bookmark.objects.filter(post=post).count() == 1


def test_removing_a_bookmark_is_204_whether_bookmarked_or_not(client_for):
    post = PostFactory()
    saver = client_for(5)
    saver.post(f"/api/v1/posts/{post.pk}/bookmark")

    assert saver.delete(f"/api/v1/posts/{post.pk}/bookmark").status_code == 204
    assert saver.delete(f"/api/v1/posts/{post.pk}/bookmark").status_code == 204
    assert not Bookmark.objects.exists()


def test_bookmarks_need_a_token(client):
    post = PostFactory()
    assert client.post(f"/api/v1/posts/{post.pk}/bookmark").status_code == 401
    assert client.delete(f"/api/v1/posts/{post.pk}/bookmark").status_code == 401
    assert client.get("/api/v1/bookmarks").status_code == 401


def test_bookmarking_an_unknown_post_is_a_404(client_for):
    assert client_for(5).post("/api/v1/posts/424242/bookmark").status_code == 404
    assert client_for(5).delete("/api/v1/posts/424242/bookmark").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_many_bookmarks_at_once_through_the_api_leave_one(client_for):
    post = PostFactory()

    statuses = run_concurrently(
        12, lambda _: client_for(5).post(f"/api/v1/posts/{post.pk}/bookmark").status_code
    )

    assert sorted(statuses) == [200] * 11 + [201]
    assert Bookmark.objects.filter(post=post, user_id=5).count() == 1


def test_bookmarked_by_me_is_true_only_for_the_viewer_who_bookmarked(client, client_for):
    post = PostFactory(author_id=AuthorFactory().id)
    client_for(5).post(f"/api/v1/posts/{post.pk}/bookmark")

    def bookmarked(reader) -> bool:
        return reader.get(f"/api/v1/posts/{post.pk}").json()["bookmarked_by_me"]

    assert bookmarked(client_for(5)) is True
    assert bookmarked(client_for(6)) is False
    assert bookmarked(client) is False


def test_the_list_is_the_callers_posts_newest_bookmark_first(client_for):
    author = AuthorFactory()
    older, newer, others = (PostFactory(author_id=author.id) for _ in range(3))
    saver = client_for(5)
    # Bookmarked in the other order than posted: the list follows the bookmarks.
    saver.post(f"/api/v1/posts/{newer.pk}/bookmark")
    saver.post(f"/api/v1/posts/{older.pk}/bookmark")
    client_for(6).post(f"/api/v1/posts/{others.pk}/bookmark")

    response = saver.get("/api/v1/bookmarks")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [post["id"] for post in results] == [older.pk, newer.pk]
    assert set(results[0]) == POST_KEYS
    assert all(post["bookmarked_by_me"] for post in results)


def test_following_next_visits_every_bookmark_once_and_previous_walks_back(client_for):
    author = AuthorFactory()
    posts = [PostFactory(author_id=author.id) for _ in range(7)]
    saver = client_for(5)
    for post in posts:
        saver.post(f"/api/v1/posts/{post.pk}/bookmark")

    seen, pages, url = [], [], "/api/v1/bookmarks?page_size=3"
    while url:
        page = saver.get(url).json()
        pages.append(page)
        seen += [post["id"] for post in page["results"]]
        url = page["next"]
    back = saver.get(pages[-1]["previous"]).json()

    assert seen == [post.pk for post in reversed(posts)]
    assert [post["id"] for post in back["results"]] == seen[3:6]


def test_a_deleted_post_drops_out_of_the_bookmarks(client_for):
    author = client_for(4)
    kept, deleted = (author.post("/api/v1/posts", {"title": "t"}).json()["id"] for _ in "ab")
    saver = client_for(5)
    saver.post(f"/api/v1/posts/{kept}/bookmark")
    saver.post(f"/api/v1/posts/{deleted}/bookmark")
    assert author.delete(f"/api/v1/posts/{deleted}").status_code == 204

    assert [post["id"] for post in saver.get("/api/v1/bookmarks").json()["results"]] == [kept]


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_bookmarks_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    author = AuthorFactory()
    for _ in range(size):
        Bookmark.objects.create(post=PostFactory(author_id=author.id), user_id=3)

    # the caller's deleted-account check, the page's statement, then (the first time) the
    # contents of the posts not rendered yet
    with django_assert_num_queries(3):
        response = client_for(3).get(f"/api/v1/bookmarks?page_size={size}")
    with django_assert_num_queries(2):
        again = client_for(3).get(f"/api/v1/bookmarks?page_size={size}")

    assert len(response.json()["results"]) == size
    assert again.json() == response.json()
