"""remember_author_from_token: the replica learns writers' usernames from their tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from authors.models import Author
from authors.services import cache_authors, remember_author_from_token
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
