"""POST /api/v1/auth/signup: the account rules, bad input, and the duplicate race."""

import pytest
from conftest import PASSWORD
from django.db import close_old_connections
from rest_framework.test import APIClient

from accounts.models import User
from shared.testing import run_concurrently

pytestmark = pytest.mark.django_db

PRIVATE_PROFILE_KEYS = {
    "id",
    "username",
    "name",
    "bio",
    "website",
    "avatar_url",
    "date_joined",
    "is_private",
    "email",
    "email_verified",
}


def sign_up(client, **overrides):
    body = {"email": "Ann@Example.com", "username": "Ann.B", "password": PASSWORD}
    body.update(overrides)
    return client.post("/api/v1/auth/signup", body, format="json")


def test_sign_up_stores_the_username_lower_case_and_returns_the_private_profile(client):
    response = sign_up(client, name="Ann Bell")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == PRIVATE_PROFILE_KEYS
    assert body["username"] == "ann.b"
    assert body["email"] == "Ann@example.com"
    assert body["name"] == "Ann Bell"
    assert body["avatar_url"] is None
    assert body["date_joined"].endswith("Z")
    assert "password" not in body
    assert User.objects.get(pk=body["id"]).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        ({"email": "ann@example.com"}, {"email": "ANN@EXAMPLE.COM", "username": "other"}, "email"),
        ({"email": "Ann@example.com"}, {"email": "aNN@example.com", "username": "other"}, "email"),
        ({"username": "ann_b"}, {"username": "ANN_B", "email": "other@example.com"}, "username"),
    ],
)
def test_duplicate_email_or_username_in_any_letter_case_is_a_400_naming_the_field(
    client, first, second, field
):
    assert sign_up(client, **first).status_code == 201
    response = sign_up(client, **second)
    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    "username",
    ["", "a" * 31, "ann b", "ann-b", "ann@b", "änn", "ann\u200b", "ann\nb", "ann/../b"],
)
def test_invalid_username_is_a_400_on_username(client, username):
    response = sign_up(client, username=username)
    assert response.status_code == 400
    assert "username" in response.json()


@pytest.mark.parametrize("username", ["a", "A" * 30, "ann.b_2", "_ann", "admin2", "my.support"])
def test_usernames_of_one_to_thirty_letters_digits_dots_and_underscores_are_accepted(
    client, username
):
    response = sign_up(client, username=username)
    assert response.status_code == 201, response.json()
    assert response.json()["username"] == username.lower()


@pytest.mark.parametrize(
    "username",
    ["admin", "ADMIN", "Support", "root", ".", "..", "_", "._.", "api", "media", "healthz", "me"],
)
def test_reserved_usernames_are_a_400_on_username(client, username):
    response = sign_up(client, username=username)
    assert response.status_code == 400
    assert response.json() == {"username": ["This username is reserved."]}
    assert not User.objects.exists()


def test_a_deployment_reserves_more_names(client, settings):
    settings.RESERVED_USERNAMES = ["Acme"]
    assert sign_up(client, username="acme").status_code == 400


def test_an_operator_may_still_create_a_reserved_name(make_user):
    assert make_user(username="admin", is_staff=True).username == "admin"


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "ann.b@example.com"])
def test_weak_password_is_a_400_on_password(client, password):
    response = sign_up(client, email="ann.b@example.com", password=password)
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.exists()


@pytest.mark.parametrize("missing", ["email", "username", "password"])
def test_missing_required_field_is_a_400_naming_it(client, missing):
    body = {"email": "ann@example.com", "username": "ann", "password": PASSWORD}
    del body[missing]
    response = client.post("/api/v1/auth/signup", body, format="json")
    assert response.status_code == 400
    assert missing in response.json()


def test_invalid_email_is_a_400(client):
    response = sign_up(client, email="not-an-email")
    assert response.status_code == 400
    assert "email" in response.json()


@pytest.mark.parametrize("field", ["username", "name", "email", "password"])
def test_nul_byte_in_any_text_field_is_a_400(client, field):
    response = sign_up(client, **{field: "ann\x00b"})
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("field", ["username", "name", "password"])
def test_lone_surrogate_in_any_text_field_is_a_400(client, field):
    body = (
        '{"email": "ann@example.com", "username": "ann", "password": "a sturdy passphrase 42", '
        f'"{field}": "x\\ud800y"}}'
    )
    response = client.post("/api/v1/auth/signup", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_invalid_utf8_in_a_json_body_is_a_400(client):
    body = b'{"email": "ann@example.com", "username": "\xff\xfe", "password": "x"}'
    response = client.post("/api/v1/auth/signup", body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_json_array_body_is_a_400(client):
    response = client.post("/api/v1/auth/signup", [1, 2], format="json")
    assert response.status_code == 400


def test_sending_is_staff_or_is_superuser_at_sign_up_has_no_effect(client):
    response = sign_up(client, is_staff=True, is_superuser=True, is_active=False)
    assert response.status_code == 201
    user = User.objects.get(pk=response.json()["id"])
    assert not user.is_staff
    assert not user.is_superuser
    assert user.is_active


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("field", ["email", "username"])
def test_concurrent_sign_ups_with_one_email_or_username_leave_one_account_and_400s(field):
    """Ten sign-ups race for one email (or username) in different letter cases."""
    attempts = 10
    sign_ups = []
    for i in range(attempts):
        body = {"email": f"racer{i}@example.com", "username": f"racer{i}", "password": PASSWORD}
        body[field] = "Race@Example.com" if field == "email" else "RaceR"
        if i % 2:
            body[field] = body[field].swapcase()
        sign_ups.append(body)

    responses = run_concurrently(
        attempts,
        lambda i: APIClient().post("/api/v1/auth/signup", sign_ups[i], format="json"),
    )
    close_old_connections()
    statuses = [response.status_code for response in responses]
    bodies = [response.json() for response in responses]

    assert sorted(statuses) == [201] + [400] * (attempts - 1)
    assert all(set(body) == {field} for body in bodies if "id" not in body)
    assert User.objects.count() == 1
