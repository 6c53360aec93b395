"""GET /api/v1/posts?search=Q: full-text search of titles and bodies, best match first."""

import pytest
from django.db import connection

from posts.tests.factories import AuthorFactory, PostFactory
from posts.tests.shapes import POST_KEYS
from relationships.tests.factories import BlockFactory
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [post["id"] for post in response.json()["results"]]


def search(client, query: str) -> list[int]:
    return ids(client.get("/api/v1/posts", {"search": query}))


@pytest.fixture
def author():
    return AuthorFactory(id=1)


def test_every_word_must_match_and_the_best_match_comes_first(client, author):
    once = PostFactory(author_id=1, title="A walk", body="by the old harbour at night")
    twice = PostFactory(author_id=1, title="Harbour lights", body="the harbour at night")
    PostFactory(author_id=1, title="Harbour", body="in the morning")

    response = client.get("/api/v1/posts", {"search": "harbour NIGHT"})

    assert ids(response) == [twice.pk, once.pk]
    assert set(response.json()["results"][0]) == POST_KEYS


def test_a_word_matches_the_start_of_a_longer_word(client, author):
    post = PostFactory(author_id=1, title="", body="Photographers at work")

    assert search(client, "photo") == [post.pk]
    assert search(client, "graph") == []


def test_korean_words_match_with_their_particles(client, author):
    post = PostFactory(author_id=1, title="", body="어제 서울에서 맛집을 찾았다")
    PostFactory(author_id=1, title="", body="부산 바다")

    assert search(client, "서울") == [post.pk]
    assert search(client, "서울 맛집") == [post.pk]
    assert search(client, "부산 맛집") == []


def _unicode_character_classes() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm('서울')")
        return bool(cursor.fetchone()[0])


def test_korean_runs_without_spaces_match_by_trigram_similarity(client, author):
    if not _unicode_character_classes():
        pytest.skip("the database's LC_CTYPE is C: pg_trgm sees no letters outside ASCII")
    joined = PostFactory(author_id=1, title="", body="오늘의 서울맛집 추천")
    spaced = PostFactory(author_id=1, title="", body="서울 맛집 추천")

    # Each text is found by the other's form, its own form first (its words match too).
    assert search(client, "서울맛집") == [joined.pk, spaced.pk]
    assert search(client, "서울 맛집") == [spaced.pk, joined.pk]
    assert search(client, "맛집") == [spaced.pk, joined.pk]
    # Similar trigrams are not enough: the word itself must be there.
    assert search(client, "부산맛집") == []
    assert search(client, "맛있는") == []


def test_a_private_accounts_posts_are_found_by_its_followers_only(client, client_for):
    AuthorFactory(id=1, is_private=True)
    post = PostFactory(author_id=1, body="secret garden")
    FollowFactory(follower_id=2, followee_id=1)

    assert search(client, "garden") == []
    assert search(client_for(3), "garden") == []
    assert search(client_for(2), "garden") == [post.pk]
    assert search(client_for(1), "garden") == [post.pk]


@pytest.mark.parametrize("direction", ["blocked by the author", "blocking the author"])
def test_a_block_either_way_hides_posts_from_search(client_for, author, direction):
    PostFactory(author_id=1, body="feud")
    if direction == "blocked by the author":
        BlockFactory(blocker_id=1, blocked_id=2)
    else:
        BlockFactory(blocker_id=2, blocked_id=1)

    assert search(client_for(2), "feud") == []
    assert len(search(client_for(3), "feud")) == 1


def test_paging_visits_every_match_once_best_first(client, author):
    posts = [PostFactory(author_id=1, body=" ".join(["tide"] * (i + 1))) for i in range(7)]

    seen, url = [], "/api/v1/posts?search=tide&page_size=3"
    while url:
        page = client.get(url).json()
        seen += [post["id"] for post in page["results"]]
        url = page["next"]

    assert sorted(seen) == sorted(post.pk for post in posts)
    assert len(seen) == 7
    assert seen[0] == posts[-1].pk


@pytest.mark.parametrize("query", [{}, {"search": ""}, {"search": "x" * 201}])
def test_a_missing_blank_or_overlong_query_is_a_400(client, query):
    response = client.get("/api/v1/posts", query)

    assert response.status_code == 400
    assert set(response.json()) == {"search"}


def test_a_query_without_a_word_finds_nothing(client, author):
    PostFactory(author_id=1, body="!!!")
    assert search(client, "!!! ???") == []


def test_quotes_and_operators_in_a_query_are_only_text(client, author):
    post = PostFactory(author_id=1, body="rock & roll")
    assert search(client, "'rock' & !roll:*") == [post.pk]


@pytest.mark.parametrize("size", [1, 20, 100])
def test_a_search_page_costs_the_same_queries_whatever_its_size(
    client_for, size, django_assert_num_queries
):
    AuthorFactory(id=1)
    for _ in range(size):
        PostFactory(author_id=1, body="needle in a haystack")

    # the caller's deleted-account check, the page's statement, then (the first time) the
    # contents of the posts not rendered yet
    with django_assert_num_queries(3):
        response = client_for(2).get(f"/api/v1/posts?search=needle&page_size={size}")

    assert len(ids(response)) == size
