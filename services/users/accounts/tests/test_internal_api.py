"""/internal/v1/users...: user summaries for the feed service, behind INTERNAL_API_TOKEN."""

import pytest
from conftest import PASSWORD, bearer
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Session
from shared.tokens import AccessToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def internal(client):
    client.credentials(HTTP_X_INTERNAL_TOKEN=settings.INTERNAL_API_TOKEN)
    return client


def test_user_by_id_is_a_summary(internal, user):
    response = internal.get(f"/internal/v1/users/{user.pk}")
    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "username": "ann", "avatar_url": None}


def test_unknown_user_by_id_is_a_404(internal):
    assert internal.get("/internal/v1/users/424242").status_code == 404


def test_inactive_users_are_still_known_to_the_feed(internal, user):
    user.is_active = False
    user.save()
    assert internal.get(f"/internal/v1/users/{user.pk}").status_code == 200


def test_users_by_ids_in_the_order_asked_unknown_ids_omitted(internal, make_user):
    a, b = make_user(username="aa"), make_user(username="bb")
    response = internal.get("/internal/v1/users", {"ids": f"{b.pk},999999,{a.pk},{b.pk}"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"id": b.pk, "username": "bb", "avatar_url": None},
            {"id": a.pk, "username": "aa", "avatar_url": None},
        ]
    }


@pytest.mark.parametrize(
    "ids",
    ["", "a", "1,,2", "1;2", "-1", "0", "1.5", str(2**63), ",".join(["1"] * 101), "\u0661"],
)
def test_malformed_or_too_many_ids_are_a_400(internal, ids):
    response = internal.get("/internal/v1/users", {"ids": ids})
    assert response.status_code == 400
    assert "ids" in response.json()


def test_missing_ids_is_a_400(internal):
    assert internal.get("/internal/v1/users").status_code == 400


def test_one_hundred_ids_are_accepted_in_one_query(internal, make_user):
    users = [make_user() for _ in range(5)]
    ids = [user.pk for user in users] + list(range(10**6, 10**6 + 95))
    with CaptureQueriesContext(connection) as queries:
        response = internal.get("/internal/v1/users", {"ids": ",".join(map(str, ids))})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 5
    assert len(queries) == 1


@pytest.mark.parametrize("path", ["/internal/v1/users/1", "/internal/v1/users?ids=1"])
@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_internal_api_without_the_service_credential_is_a_403(client, user, path, token):
    if token is not None:
        client.credentials(HTTP_X_INTERNAL_TOKEN=token)
    response = client.get(path)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_a_user_access_token_does_not_open_the_internal_api(client, user):
    assert client.get(f"/internal/v1/users/{user.pk}", **bearer(user)).status_code == 403


def test_users_by_username_case_insensitively_unknown_names_omitted(internal, make_user):
    a = make_user(username="ann.b")
    response = internal.get("/internal/v1/users/by-username", {"usernames": "ANN.B,nobody"})
    assert response.status_code == 200
    assert response.json() == {"results": [{"id": a.pk, "username": "ann.b", "avatar_url": None}]}


@pytest.mark.parametrize("usernames", ["", "a b", "a,,b", "é", "x" * 31, ",".join(["a"] * 101)])
def test_malformed_or_too_many_usernames_are_a_400(internal, usernames):
    response = internal.get("/internal/v1/users/by-username", {"usernames": usernames})
    assert response.status_code == 400
    assert "usernames" in response.json()


def test_users_by_username_need_the_internal_token(client):
    assert client.get("/internal/v1/users/by-username", {"usernames": "a"}).status_code == 403


# --- POST /internal/v1/staff/sign-in (the feed's admin) ----------------------------------------


def staff_sign_in(api, email: str, password: str = PASSWORD, **headers: str):
    return api.post(
        "/internal/v1/staff/sign-in",
        {"email": email, "password": password},
        format="json",
        **headers,
    )


def test_the_feeds_staff_sign_in_answers_an_access_token_with_is_staff(internal, make_user):
    make_user(email="mod@example.com", username="mod", is_staff=True)

    response = staff_sign_in(internal, "mod@example.com", HTTP_USER_AGENT="feed-admin")

    assert response.status_code == 200
    assert set(response.json()) == {"access"}
    assert response["Cache-Control"] == "no-store"
    claims = AccessToken(response.json()["access"])
    assert (claims["username"], claims["is_staff"]) == ("mod", True)
    session = Session.objects.get(pk=claims["sid"])
    assert session.user_agent == "feed-admin"


def test_the_staff_sign_in_refuses_wrong_passwords_like_the_token_endpoint(internal, user):
    response = staff_sign_in(internal, "ann@example.com", "wrong password")
    assert response.status_code == 401


def test_the_staff_sign_in_counts_against_the_per_email_limit(internal, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        assert staff_sign_in(internal, "ann@example.com", "wrong").status_code == 401

    locked = staff_sign_in(internal, "ann@example.com")

    assert locked.status_code == 429
    assert locked["Retry-After"]


def test_the_staff_sign_in_needs_the_service_credential(client, user):
    assert staff_sign_in(client, "ann@example.com").status_code == 403
