"""What keeps the users service answering under load: bounded password hashing and image work,
and a lost database answered 503 (docs/security.md)."""

import socket

import pytest
from conftest import PASSWORD, bearer, image_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from shared.slots import work_slot

pytestmark = pytest.mark.django_db

BOUNDED = ["accounts.hashers.BoundedPBKDF2PasswordHasher"]


@pytest.fixture
def bounded_hasher(settings):
    """The production hasher, at a test's speed, with one slot and no wait."""
    settings.PASSWORD_HASHERS = BOUNDED
    settings.PASSWORD_CHECK_SLOTS, settings.PASSWORD_CHECK_WAIT_SECONDS = 1, 0
    from accounts.hashers import BoundedPBKDF2PasswordHasher

    original = BoundedPBKDF2PasswordHasher.iterations
    BoundedPBKDF2PasswordHasher.iterations = 1000
    yield
    BoundedPBKDF2PasswordHasher.iterations = original


def log_in(client, email="ann@example.com", password=PASSWORD):
    return client.post("/api/v1/auth/token", {"email": email, "password": password}, format="json")


def test_a_log_in_while_every_password_slot_is_taken_is_a_503_with_retry_after(
    client, make_user, bounded_hasher
):
    make_user(email="ann@example.com")
    with work_slot("passwords", slots=1):  # another worker is hashing
        busy = log_in(client)
        unknown = log_in(client, email="nobody@example.com")
        read = client.get("/api/v1/users?search=a")

    assert (busy.status_code, unknown.status_code) == (503, 503)
    assert busy.headers["Retry-After"] == "1"
    assert set(busy.json()) == {"detail"}
    assert read.status_code == 200
    assert log_in(client).status_code == 200


def test_the_admin_login_form_is_bounded_too_and_answers_json(make_user, bounded_hasher):
    make_user(email="root@example.com", is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    page = client.get("/admin/login/")
    with work_slot("passwords", slots=1):
        busy = client.post(
            "/admin/login/",
            {
                "username": "root@example.com",
                "password": PASSWORD,
                "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
            },
        )

    assert busy.status_code == 503
    assert busy.headers["Content-Type"] == "application/json"
    assert busy.headers["Retry-After"] == "1"


def test_stored_hashes_still_verify_under_the_bounded_hasher(make_user, settings):
    settings.PASSWORD_HASHERS = [
        *BOUNDED,
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = make_user()  # hashed with the test settings' MD5
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_an_avatar_upload_while_every_image_slot_is_taken_is_a_503(client, user, settings):
    settings.IMAGE_WORK_SLOTS, settings.IMAGE_WORK_WAIT_SECONDS = 1, 0
    api = APIClient()
    api.credentials(**bearer(user))
    avatar = SimpleUploadedFile("me.png", image_bytes(), content_type="image/png")

    with work_slot("images", slots=1):
        busy = api.put("/api/v1/users/me/avatar", {"avatar": avatar}, format="multipart")

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"


def test_a_thin_avatar_is_a_400(client, user):
    api = APIClient()
    api.credentials(**bearer(user))
    avatar = SimpleUploadedFile("me.png", image_bytes(size=(2100, 100)), content_type="image/png")

    response = api.put("/api/v1/users/me/avatar", {"avatar": avatar}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "avatar": ["The image may be at most 20 times longer than it is wide."]
    }


@pytest.fixture
def database_down():
    """The service's database connection, closed and pointed at a port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    connection.close()
    real_port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(closed_port)
    yield
    connection.close()
    connection.settings_dict["PORT"] = real_port


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/v1/users?search=a", "/admin/login/"])
def test_an_unreachable_database_is_a_503_with_retry_after(database_down, path):
    client = Client(raise_request_exception=False, enforce_csrf_checks=False)
    response = client.post(path, {"username": "a@example.com", "password": "x"})
    if path.startswith("/api/"):
        response = client.get(path)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json() == {"detail": "The database is unavailable; try again shortly."}
