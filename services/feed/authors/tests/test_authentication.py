"""FeedJWTAuthentication: malformed claims, deleted accounts and ids never issued are 401."""

import time

import jwt
import pytest
from conftest import mint_access_token
from django.conf import settings
from django.db import connection
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from actions.accounts import AccountEventType, apply_account_event
from actions.posts import create_post
from authors.authentication import FeedJWTAuthentication
from authors.models import Author
from posts.models import Post
from relationships.models import Follow

pytestmark = pytest.mark.django_db

GONE, ANN = 10, 20


@pytest.fixture
def deleted_user() -> int:
    """GONE wrote a post, then deleted the account; the feed applied the event."""
    Author.objects.create(id=GONE, username="gone")
    create_post(author_id=GONE, title="soon gone")
    apply_account_event(sequence=5, event_type=AccountEventType.USER_DELETED, user_id=GONE)
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


def test_authenticating_costs_one_statement_of_primary_key_probes(
    deleted_user, django_assert_num_queries
):
    request = APIRequestFactory().get(
        "/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {mint_access_token(ANN)}"
    )

    with django_assert_num_queries(1) as captured:
        user, _token = FeedJWTAuthentication().authenticate(request)

    assert user.id == ANN
    # The deleted-account check and the ended sign-ins (shared.revocation), one round trip of
    # a prepared statement.
    assert captured.captured_queries[0]["sql"].startswith(("PREPARE ", "EXECUTE "))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        [body] = [row[0] for row in cursor.fetchall() if "shared_revocation_endedsession" in row[0]]
    body = " ".join(body.split())
    assert "WHERE id = $1 AND (deleted_at IS NOT NULL OR missing_since >= to_timestamp($2))" in body
    assert "FROM shared_revocation_endedsession WHERE session_id = $3" in body


# --- Claims ----------------------------------------------------------------------------------


def signed(**claims) -> str:
    """A correctly signed access token for user ANN with `claims` replaced (None drops one)."""
    payload = dict(AccessToken(mint_access_token(ANN)).payload)
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": 10**30},
        {"exp": 1e300},
        {"exp": "9999999999"},
        {"exp": True},
        {"exp": float("inf")},
        {"iat": "now"},
        {"iat": None},
        {"nbf": 10**30},
        {"user_id": True},
        {"user_id": False},
        {"user_id": 20.0},
        {"user_id": 20.7},
        {"user_id": "20.0"},
        {"user_id": " 20"},
        {"user_id": "020"},
        {"user_id": "\uff12\uff10"},
        {"user_id": "2_0"},
        {"user_id": "-20"},
        {"user_id": "0"},
        {"user_id": 2**63},
        {"user_id": "abc"},
        {"user_id": [20]},
        {"user_id": {"id": 20}},
        {"user_id": None},
        {"username": 20},
        {"username": "x" * 151},
        {"is_staff": "true"},
        {"jti": 5},
        {"token_type": ["access"]},
    ],
    ids=repr,
)
def test_a_signed_token_with_a_malformed_claim_is_a_401_never_a_500(client, claims):
    response = client.get("/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {signed(**claims)}")

    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("user_id", [ANN, str(ANN)])
def test_an_integer_or_its_digits_is_the_user(client, user_id):
    Author.objects.create(id=ANN, username="ann")

    response = client.get("/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {signed(user_id=user_id)}")

    assert response.status_code == 200


# --- Ids the users service never issued ------------------------------------------------------


def test_a_token_for_an_id_the_users_service_said_it_never_had_is_a_401(client_for, users_service):
    """The stand-in users service (a real HTTP server in the test) knows no user 404."""
    # Its token is issued before the look-up: one minted after it could carry the next second
    # as its `iat`, and a token issued after the look-up is rightly taken.
    never_issued = client_for(404)
    assert client_for(ANN).post("/api/v1/users/404/follow").status_code == 404

    response = never_issued.get("/api/v1/feed")

    assert response.status_code == 401
    assert never_issued.post("/api/v1/posts", {"title": "x"}, format="json").status_code == 401


def test_an_id_issued_after_the_look_up_is_an_author_once_its_creation_arrives(client):
    from authors.services import remember_missing_users

    remember_missing_users([404])
    apply_account_event(
        sequence=9, event_type=AccountEventType.USER_CREATED, user_id=404, username="late"
    )

    token = signed(user_id="404", iat=int(time.time()) - 60)
    response = client.get("/api/v1/feed", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert Author.objects.get(pk=404).missing_since is None


def test_a_token_issued_after_the_look_up_is_not_refused_and_its_writes_work(client):
    from authors.services import remember_missing_users

    remember_missing_users([404])
    token = signed(user_id="404", username="new", iat=int(time.time()) + 2)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    assert client.get("/api/v1/feed", **auth).status_code == 200
    assert client.post("/api/v1/posts", {"title": "hi"}, format="json", **auth).status_code == 201
    assert Author.objects.get(pk=404).username == "new"


def test_an_id_found_missing_is_asked_again_before_a_follow(client_for, users_service):
    from authors.services import remember_missing_users

    remember_missing_users([ANN])
    users_service.add(ANN, "ann")

    assert client_for(30).post(f"/api/v1/users/{ANN}/follow").status_code == 201
    assert Author.objects.get(pk=ANN).missing_since is None
