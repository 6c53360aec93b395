"""The replica's writes: usernames learnt from tokens (remember_author_from_token), and users
looked up in the users service and cached (summarize_authors, ensure_author_exists; the users
service is a stand-in)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from authors.client import UsersServiceUnavailable
from authors.models import Author
from authors.services import (
    cache_authors,
    ensure_author_exists,
    remember_author_from_token,
    summarize_authors,
)
from shared.auth import ServiceUser

pytestmark = pytest.mark.django_db


def caller(user_id: int, username: str, issued_at=None) -> ServiceUser:
    token = AccessToken()
    token["user_id"] = str(user_id)
    token["username"] = username
    if issued_at is not None:
        token["iat"] = int(issued_at.timestamp())
    user = ServiceUser(token)
    user._id = user_id
    return user


def test_a_new_writer_is_added_to_the_replica():
    remember_author_from_token(caller(5, "alice"))
    author = Author.objects.get(pk=5)
    assert (author.username, author.avatar_url) == ("alice", None)


def test_an_unchanged_writer_costs_one_select_and_no_write(django_assert_num_queries):
    Author.objects.create(id=5, username="alice")
    with django_assert_num_queries(1):
        remember_author_from_token(caller(5, "alice"))


def test_a_newer_token_with_a_new_username_renames_the_author():
    Author.objects.create(id=5, username="alice", avatar_url="http://cdn.example/a.png")
    Author.objects.filter(pk=5).update(updated_at=timezone.now() - timedelta(minutes=5))

    remember_author_from_token(caller(5, "alice2", issued_at=timezone.now()))

    author = Author.objects.get(pk=5)
    assert (author.username, author.avatar_url) == ("alice2", "http://cdn.example/a.png")


def test_a_token_older_than_the_replica_row_does_not_roll_a_rename_back():
    Author.objects.create(id=5, username="renamed")  # e.g. just updated by an event

    remember_author_from_token(
        caller(5, "old-name", issued_at=timezone.now() - timedelta(minutes=1))
    )

    assert Author.objects.get(pk=5).username == "renamed"


def test_a_deleted_author_is_not_brought_back():
    Author.objects.create(id=5, username="gone", deleted_at=timezone.now() - timedelta(minutes=5))
    Author.objects.filter(pk=5).update(updated_at=timezone.now() - timedelta(minutes=5))

    remember_author_from_token(caller(5, "back", issued_at=timezone.now()))

    assert Author.objects.get(pk=5).username == "gone"


def test_cache_authors_never_overwrites_what_the_replica_has():
    Author.objects.create(id=1, username="from-an-event")
    cache_authors([{"id": 1, "username": "stale", "avatar_url": None}])
    cache_authors([{"id": 2, "username": "new", "avatar_url": None}])
    assert dict(Author.objects.values_list("id", "username")) == {1: "from-an-event", 2: "new"}


# --- look-ups of users the replica lacks ---------------------------------------------------


def test_summarize_authors_reads_known_authors_in_one_query(
    users_service, django_assert_num_queries
):
    Author.objects.bulk_create([Author(id=i, username=f"u{i}") for i in range(1, 101)])

    with django_assert_num_queries(1):
        summaries = summarize_authors(range(1, 101))

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
        summaries = summarize_authors([1, 2, 3])

    assert summaries[2] == {"id": 2, "username": "two", "avatar_url": "http://cdn.example/2.png"}
    assert len(users_service.requests) == 1
    assert set(Author.objects.values_list("id", flat=True)) == {1, 2, 3}

    with django_assert_num_queries(1):
        summarize_authors([1, 2, 3])
    assert len(users_service.requests) == 1


def test_ids_nobody_knows_render_as_placeholders_and_are_remembered_as_missing(users_service):
    placeholder = {42: {"id": 42, "username": None, "avatar_url": None}}
    assert summarize_authors([42]) == placeholder

    missing = Author.objects.get(pk=42)
    assert (missing.username, missing.deleted_at) == ("", None)
    assert missing.missing_since is not None
    calls = len(users_service.requests)
    assert summarize_authors([42]) == placeholder
    assert len(users_service.requests) == calls


def test_a_down_users_service_degrades_to_placeholders(users_service_down):
    Author.objects.create(id=1, username="known")

    summaries = summarize_authors([1, 2])

    assert summaries == {
        1: {"id": 1, "username": "known", "avatar_url": None},
        2: {"id": 2, "username": None, "avatar_url": None},
    }


def test_no_ids_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert summarize_authors([]) == {}


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
