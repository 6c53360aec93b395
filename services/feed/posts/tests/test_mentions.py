"""Mentions: `@username`s resolved against the author replica (and the users service for names
it has not met), stored per post and comment, shown as user summaries, published as events."""

import pytest

from actions.posts import create_post
from authors.client import UsersServiceUnavailable
from authors.models import Author
from posts.models import Post
from posts.selectors import get_post_row
from posts.services import add_comment, update_post
from posts.tests.factories import AuthorFactory, PostFactory
from relationships.tests.factories import BlockFactory
from shared.events.models import OutboxEvent

pytestmark = pytest.mark.django_db

ANN, BOB, CAT = 1, 2, 3


@pytest.fixture
def people():
    AuthorFactory(id=ANN, username="ann")
    AuthorFactory(id=BOB, username="bob")
    AuthorFactory(id=CAT, username="cat.", avatar_url="https://cdn.example/cat.png")


def payloads(type: str) -> list[dict]:
    rows = OutboxEvent.objects.filter(type=type).order_by("id")
    return [row.payload for row in rows]


def test_a_post_mentions_the_users_it_names_in_order_once_each(people, users_service):
    post = create_post(author_id=ANN, title="hi @Bob", body="@cat. and @bob and @nobody")

    assert post.mentioned_user_ids == [BOB, CAT]
    assert [user["username"] for user in get_post_row(post.pk).mentions] == ["bob", "cat."]
    assert payloads("feed.post.created") == [
        {
            "author": {"id": ANN, "username": "ann", "avatar_url": None},
            "mentioned_user_ids": [BOB, CAT],
        }
    ]


def test_a_trailing_dot_is_punctuation_unless_the_user_has_it(people):
    post = create_post(author_id=ANN, body="thanks @bob. and @cat.")
    assert post.mentioned_user_ids == [BOB, CAT]


def test_names_the_replica_has_not_met_are_asked_of_the_users_service(people, users_service):
    users_service.add(9, "dan", "https://cdn.example/dan.png")
    post = create_post(author_id=ANN, body="@dan @ghost @bob")

    assert post.mentioned_user_ids == [9, BOB]
    assert Author.objects.get(pk=9).username == "dan"  # cached: the next post asks nobody
    asked = len(users_service.requests)
    create_post(author_id=ANN, body="@dan again")
    assert len(users_service.requests) == asked


def test_with_the_users_service_down_an_unknown_name_is_a_503_and_nothing_is_written(
    people, users_service_down
):
    with pytest.raises(UsersServiceUnavailable):
        create_post(author_id=ANN, body="@stranger")
    assert not Post.objects.exists()
    # Names the replica knows need nobody.
    assert create_post(author_id=ANN, body="@bob").mentioned_user_ids == [BOB]


def test_a_deleted_account_is_not_mentioned(people):
    Author.objects.filter(pk=BOB).update(deleted_at="2026-12-01T00:00:00Z")
    assert create_post(author_id=ANN, body="@bob").mentioned_user_ids == []


def test_nobody_in_a_block_with_the_writer_is_mentioned(people):
    BlockFactory(blocker_id=BOB, blocked_id=ANN)
    BlockFactory(blocker_id=ANN, blocked_id=CAT)
    assert create_post(author_id=ANN, body="@bob @cat.").mentioned_user_ids == []


def test_an_edit_updates_the_mentions_and_publishes_them_all(people):
    post = create_post(author_id=ANN, title="@bob", body="")
    update_post(post=post, body="@cat.")
    post.refresh_from_db()
    assert post.mentioned_user_ids == [BOB, CAT]
    update_post(post=post, title="no one")
    assert payloads("feed.post.updated")[-1]["mentioned_user_ids"] == [CAT]


def test_a_comment_mentions_and_its_event_says_whom(people):
    comment = add_comment(post=PostFactory(author_id=ANN), author_id=BOB, body="@ann @cat.")
    assert comment.mentioned_user_ids == [ANN, CAT]
    assert payloads("feed.comment.created")[0]["mentioned_user_ids"] == [ANN, CAT]


def test_a_mention_shows_the_users_current_name(people):
    post = create_post(author_id=ANN, body="@bob")
    Author.objects.filter(pk=BOB).update(username="robert")
    assert get_post_row(post.pk).mentions == [{"id": BOB, "username": "robert", "avatar_url": None}]


# --- through the API -------------------------------------------------------------------------


def test_the_post_shows_its_mentions_as_user_summaries(client_for, people):
    response = client_for(ANN, "ann").post(
        "/api/v1/posts", {"body": "with @cat. and ann@example.com"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["mentions"] == [
        {"id": CAT, "username": "cat.", "avatar_url": "https://cdn.example/cat.png"}
    ]


def test_an_unknown_name_with_the_users_service_down_is_a_json_503(client_for, users_service_down):
    response = client_for(ANN, "ann").post("/api/v1/posts", {"body": "@who"}, format="json")
    assert response.status_code == 503
    assert "detail" in response.json()


@pytest.mark.parametrize("size", [1, 20])
def test_a_page_of_posts_with_mentions_costs_the_same_queries_whatever_its_size(
    client, people, size, django_assert_num_queries
):
    for _ in range(size):
        create_post(author_id=ANN, body="@bob @cat. #tag")

    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/users/{ANN}/posts?page_size={size}")

    results = response.json()["results"]
    assert len(results) == size
    assert all([m["id"] for m in post["mentions"]] == [BOB, CAT] for post in results)
