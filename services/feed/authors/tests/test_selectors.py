"""author_summaries and ensure_author_exists against real Postgres (users service: a stand-in)."""

import pytest
from django.utils import timezone

from authors.client import UsersServiceUnavailable
from authors.models import Author
from authors.selectors import author_summaries, ensure_author_exists

pytestmark = pytest.mark.django_db


def test_author_summaries_reads_known_authors_in_one_query(
    users_service, django_assert_num_queries
):
    Author.objects.bulk_create([Author(id=i, username=f"u{i}") for i in range(1, 101)])

    with django_assert_num_queries(1):
        summaries = author_summaries(range(1, 101))

    assert summaries[7] == {"id": 7, "username": "u7", "avatar_url": None}
    assert len(summaries) == 100
    assert users_service.requests == []


def test_unknown_authors_are_fetched_in_one_call_and_cached(
    users_service, django_assert_num_queries
):
    Author.objects.create(id=1, username="known")
    users_service.add(2, "two", "http://cdn.example/2.png")
    users_service.add(3, "three")

    with django_assert_num_queries(2):  # the replica read and one insert of the newcomers
        summaries = author_summaries([1, 2, 3])

    assert summaries[2] == {"id": 2, "username": "two", "avatar_url": "http://cdn.example/2.png"}
    assert len(users_service.requests) == 1
    assert set(Author.objects.values_list("id", flat=True)) == {1, 2, 3}

    with django_assert_num_queries(1):
        author_summaries([1, 2, 3])
    assert len(users_service.requests) == 1


def test_ids_nobody_knows_render_as_placeholders(users_service):
    assert author_summaries([42]) == {42: {"id": 42, "username": None, "avatar_url": None}}
    assert not Author.objects.exists()


def test_a_down_users_service_degrades_to_placeholders(users_service_down):
    Author.objects.create(id=1, username="known")

    summaries = author_summaries([1, 2])

    assert summaries == {
        1: {"id": 1, "username": "known", "avatar_url": None},
        2: {"id": 2, "username": None, "avatar_url": None},
    }


def test_no_ids_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert author_summaries([]) == {}


def test_ensure_author_exists_answers_from_the_replica_without_a_call(users_service):
    Author.objects.create(id=1, username="known")
    assert ensure_author_exists(1).username == "known"
    assert users_service.requests == []


def test_ensure_author_exists_asks_the_users_service_and_caches_the_answer(users_service):
    users_service.add(9, "nine")

    author = ensure_author_exists(9)

    assert author is not None
    assert author.username == "nine"
    assert Author.objects.filter(pk=9).exists()


def test_ensure_author_exists_is_none_for_unknown_and_deleted_users(users_service):
    Author.objects.create(id=1, username="gone", deleted_at=timezone.now())
    assert ensure_author_exists(1) is None
    assert ensure_author_exists(2) is None


def test_ensure_author_exists_is_a_503_when_it_cannot_know(users_service_down):
    with pytest.raises(UsersServiceUnavailable):
        ensure_author_exists(3)
