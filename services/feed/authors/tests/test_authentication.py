"""FeedJWTAuthentication: once the deletion event is applied, the user's tokens are 401."""

import pytest
from conftest import mint_access_token
from rest_framework.test import APIRequestFactory

from actions.accounts import AccountEventType, apply_account_event
from actions.posts import create_post
from authors.authentication import FeedJWTAuthentication
from authors.models import Author
from posts.models import Post
from social.models import Follow

pytestmark = pytest.mark.django_db

GONE, ANN = 10, 20


@pytest.fixture
def deleted_user() -> int:
    """GONE wrote a post, then deleted the account; the feed applied the event."""
    Author.objects.create(id=GONE, username="gone")
    create_post(author_id=GONE, title="soon gone")
    apply_account_event(event_id=5, event_type=AccountEventType.USER_DELETED, user_id=GONE)
    return GONE


def test_reads_that_need_a_token_are_401(client_for, deleted_user):
    response = client_for(deleted_user, "gone").get("/api/v1/feed")

    assert response.status_code == 401
    assert response.json() == {"detail": "This account has been deleted."}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/posts"),
        ("post", f"/api/v1/users/{ANN}/follow"),
        ("delete", f"/api/v1/users/{ANN}/follow"),
    ],
)
def test_writes_are_401_and_write_nothing(client_for, deleted_user, method, path):
    Author.objects.create(id=ANN, username="ann")

    response = getattr(client_for(deleted_user, "gone"), method)(
        path, {"title": "back from the dead"}, format="json"
    )

    assert response.status_code == 401
    assert not Post.objects.filter(author_id=deleted_user).exists()
    assert not Follow.objects.exists()


def test_likes_and_comments_are_401(client_for, deleted_user):
    post = create_post(author_id=ANN, title="ann's")
    gone = client_for(deleted_user, "gone")

    assert gone.post(f"/api/v1/posts/{post.pk}/like").status_code == 401
    assert gone.post(f"/api/v1/posts/{post.pk}/comments", {"body": "hi"}).status_code == 401
    post.refresh_from_db()
    assert (post.like_count, post.comment_count) == (0, 0)


def test_a_write_with_a_fresh_token_does_not_bring_the_author_back(client_for, deleted_user):
    client_for(deleted_user, "new_name").post("/api/v1/posts", {"title": "hi"}, format="json")

    author = Author.objects.get(pk=deleted_user)
    assert author.deleted_at is not None
    assert author.username == "gone"


def test_public_reads_without_a_token_still_work(client, deleted_user):
    response = client.get(f"/api/v1/users/{deleted_user}/posts")
    assert (response.status_code, response.json()["results"]) == (200, [])


def test_other_users_and_users_the_feed_never_met_are_unaffected(client_for, deleted_user):
    Author.objects.create(id=ANN, username="ann")

    assert client_for(ANN).get("/api/v1/feed").status_code == 200
    assert client_for(999).post("/api/v1/posts", {"title": "hi"}, format="json").status_code == 201


def test_authenticating_costs_one_primary_key_lookup(deleted_user, django_assert_num_queries):
    request = APIRequestFactory().get(
        "/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {mint_access_token(ANN)}"
    )

    with django_assert_num_queries(1) as captured:
        user, _token = FeedJWTAuthentication().authenticate(request)

    assert user.id == ANN
    sql = captured.captured_queries[0]["sql"]
    assert "WHERE id = 20 AND deleted_at IS NOT NULL" in sql
