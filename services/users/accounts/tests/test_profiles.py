"""/api/v1/users/me (GET, PUT, PATCH, DELETE), public profiles by id and by username."""

import pytest
from conftest import PASSWORD, bearer
from django.db import close_old_connections
from rest_framework.test import APIClient

from accounts.models import User
from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db

PUBLIC_PROFILE_KEYS = {
    "id",
    "username",
    "name",
    "bio",
    "website",
    "avatar_url",
    "date_joined",
    "is_private",
}
FULL = {"username": "ann.new", "name": "Ann N", "bio": "Hello", "website": "https://ann.example"}


def test_me_returns_the_private_profile(auth_client, user):
    response = auth_client.get("/api/v1/users/me")
    assert response.status_code == 200
    assert response.json()["email"] == "ann@example.com"
    assert set(response.json()) == PUBLIC_PROFILE_KEYS | {"email", "email_verified"}


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_me_without_a_token_is_a_401(client, method):
    response = getattr(client, method)("/api/v1/users/me", {}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_me_with_the_token_of_a_deleted_account_is_a_401(client, user):
    headers = bearer(user)
    user.delete()
    assert client.get("/api/v1/users/me", **headers).status_code == 401


def test_put_replaces_every_editable_field(auth_client, user):
    response = auth_client.put("/api/v1/users/me", {**FULL, "username": "Ann.New"}, format="json")
    assert response.status_code == 200
    assert {key: response.json()[key] for key in FULL} == FULL
    user.refresh_from_db()
    assert (user.username, user.name, user.bio, user.website) == tuple(FULL.values())


@pytest.mark.parametrize("missing", sorted(FULL))
def test_put_with_a_missing_field_is_a_400_naming_it(auth_client, user, missing):
    body = {key: value for key, value in FULL.items() if key != missing}
    response = auth_client.put("/api/v1/users/me", body, format="json")
    assert response.status_code == 400
    assert missing in response.json()
    user.refresh_from_db()
    assert user.username == "ann"


def test_put_accepts_blank_name_bio_and_website(auth_client):
    body = {"username": "ann", "name": "", "bio": "", "website": ""}
    response = auth_client.put("/api/v1/users/me", body, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == ""


def test_patch_changes_only_what_is_sent(auth_client, user):
    response = auth_client.patch("/api/v1/users/me", {"bio": "Just bio"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.username, user.name, user.bio) == ("ann", "Ann Bell", "Just bio")


def test_patch_with_an_empty_body_changes_nothing(auth_client):
    response = auth_client.patch("/api/v1/users/me", {}, format="json")
    assert response.status_code == 200
    assert response.json()["username"] == "ann"


def test_email_password_and_privileges_can_never_be_set_through_the_profile(auth_client, user):
    sneaky = {
        "email": "evil@example.com",
        "password": "new password 123",
        "is_staff": True,
        "is_superuser": True,
        "is_active": False,
        "id": 999,
        "date_joined": "2000-01-01T00:00:00Z",
    }
    for method in ("patch", "put"):
        body = {**sneaky, **(FULL if method == "put" else {})}
        response = getattr(auth_client, method)("/api/v1/users/me", body, format="json")
        assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "ann@example.com"
    assert user.check_password(PASSWORD)
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)
    assert list(User.objects.values_list("pk", flat=True)) == [user.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "Bob"}, "username"),
        ({"username": "bad name"}, "username"),
        ({"username": ""}, "username"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "ftp://example.com"}, "website"),
        ({"name": "x" * 151}, "name"),
        ({"bio": "x" * 151}, "bio"),
        ({"bio": "nul\x00byte"}, "bio"),
        ('{"name": "surrogate \\ud800"}', "name"),
        ('{"bio": "low surrogate \\udc00 alone"}', "bio"),
    ],
)
def test_invalid_or_taken_profile_values_are_a_400_naming_the_field(
    auth_client, make_user, body, field
):
    make_user(email="bob@example.com", username="bob")
    if isinstance(body, str):
        # Raw JSON: a lone surrogate escape cannot be produced by encoding a Python str.
        response = auth_client.generic(
            "PATCH", "/api/v1/users/me", body, content_type="application/json"
        )
    else:
        response = auth_client.patch("/api/v1/users/me", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.django_db(transaction=True)
def test_concurrent_renames_to_one_username_leave_one_success_and_400s(make_user):
    """Eight users race to rename themselves to the same handle, in different letter cases."""
    racers = [make_user() for _ in range(8)]
    headers = [bearer(racer) for racer in racers]

    def rename(i: int) -> tuple[int, dict]:
        response = APIClient().patch(
            "/api/v1/users/me",
            {"username": "Winner" if i % 2 else "wINNER"},
            format="json",
            **headers[i],
        )
        return response.status_code, response.json()

    results = run_concurrently(len(racers), rename)
    close_old_connections()

    assert sorted(status for status, _ in results) == [200] + [400] * (len(racers) - 1)
    assert all(set(body) == {"username"} for status, body in results if status == 400)
    assert User.objects.filter(username="winner").count() == 1


def test_keeping_ones_own_username_in_another_case_is_fine(auth_client):
    response = auth_client.patch("/api/v1/users/me", {"username": "ANN"}, format="json")
    assert response.status_code == 200
    assert response.json()["username"] == "ann"


def test_invalid_utf8_json_is_a_400(auth_client):
    response = auth_client.generic(
        "PATCH", "/api/v1/users/me", b'{"name": "\xc3\x28"}', content_type="application/json"
    )
    assert response.status_code == 400


# --- Deletion ------------------------------------------------------------------------------


def test_delete_account_with_the_password_removes_it_and_its_refresh_tokens(client, user):
    tokens = client.post(
        "/api/v1/auth/token", {"email": "ann@example.com", "password": PASSWORD}, format="json"
    ).json()
    response = client.delete(
        "/api/v1/users/me", {"password": PASSWORD}, format="json", **bearer(user)
    )
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    refreshed = client.post(
        "/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    assert client.get("/api/v1/users/me", **headers).status_code == 401


@pytest.mark.parametrize("body", [{"password": "not my password"}, {}])
def test_delete_account_with_a_wrong_or_missing_password_is_a_400_and_keeps_it(
    auth_client, user, body
):
    response = auth_client.delete("/api/v1/users/me", body, format="json")
    assert response.status_code == 400
    assert "password" in response.json()
    assert User.objects.filter(pk=user.pk).exists()


# --- Public profiles -----------------------------------------------------------------------


def test_public_profile_by_id_has_no_email(client, user):
    response = client.get(f"/api/v1/users/{user.pk}")
    assert response.status_code == 200
    assert set(response.json()) == PUBLIC_PROFILE_KEYS
    assert response.json()["username"] == "ann"


@pytest.mark.parametrize("user_id", ["999999", "0", "9" * 30])
def test_unknown_user_id_is_a_404(client, user_id):
    response = client.get(f"/api/v1/users/{user_id}")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_inactive_accounts_have_no_public_profile(client, user):
    user.is_active = False
    user.save()
    assert client.get(f"/api/v1/users/{user.pk}").status_code == 404
    assert client.get("/api/v1/users/lookup", {"username": "ann"}).status_code == 404


def test_lookup_by_username_in_any_case(client, user):
    response = client.get("/api/v1/users/lookup", {"username": "ANN"})
    assert response.status_code == 200
    assert response.json()["id"] == user.pk
    assert set(response.json()) == PUBLIC_PROFILE_KEYS


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"username": "nobody"}, 404),
        ({"username": "bad name!"}, 404),
        ({}, 400),
        ({"username": "a\x00"}, 400),
        ({"username": "x" * 31}, 404),
        ({"username": "x" * 5000}, 404),
    ],
)
def test_lookup_of_an_unknown_or_malformed_username(client, params, status):
    response = client.get("/api/v1/users/lookup", params)
    assert response.status_code == status


def test_trailing_slash_is_optional():
    assert APIClient().get("/api/v1/users/lookup/", {"username": "x"}).status_code == 404


@pytest.mark.parametrize("username", ["admin", "..", "notifications"])
def test_renaming_to_a_reserved_username_is_a_400(auth_client, user, username):
    response = auth_client.patch("/api/v1/users/me", {"username": username}, format="json")

    assert response.status_code == 400
    assert response.json() == {"username": ["This username is reserved."]}
    user.refresh_from_db()
    assert user.username == "ann"


def test_a_staff_account_may_keep_or_take_a_reserved_name(make_user):
    staff = make_user(username="admin", is_staff=True)
    api = APIClient()
    api.credentials(**bearer(staff))

    assert api.patch("/api/v1/users/me", {"bio": "hi"}, format="json").status_code == 200
    assert api.patch("/api/v1/users/me", {"username": "support"}, format="json").status_code == 200


def test_renames_and_avatar_changes_are_limited_per_account(auth_client, make_user, settings):
    """Each is an event every consumer applies: one account cannot flood the others' events."""
    config = dict(settings.REST_FRAMEWORK)
    config["DEFAULT_THROTTLE_RATES"] = {
        **config["DEFAULT_THROTTLE_RATES"],
        "account_events": "2/hour",
    }
    settings.REST_FRAMEWORK = config

    renames = [
        auth_client.patch("/api/v1/users/me", {"username": f"ann{n}"}, format="json")
        for n in range(3)
    ]
    bio = auth_client.patch("/api/v1/users/me", {"bio": "not replicated"}, format="json")
    avatar = auth_client.delete("/api/v1/users/me/avatar")
    other = APIClient()
    other.credentials(**bearer(make_user()))

    assert [response.status_code for response in renames] == [200, 200, 429]
    assert "Retry-After" in renames[-1].headers
    assert bio.status_code == 200
    assert avatar.status_code == 429
    assert other.patch("/api/v1/users/me", {"username": "bob2"}, format="json").status_code == 200
