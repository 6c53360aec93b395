"""The users service's part of the Mastodon-compatible API: instance, apps, OAuth tokens."""

from datetime import timedelta

import pytest
from conftest import PASSWORD
from django.utils import timezone

from accounts.models import ClientApp, Session
from accounts.tests.test_tokens import decode

pytestmark = pytest.mark.django_db

BASE = "/mastodon"


def register(client, **fields):
    body = {"client_name": "Tusky", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    body.update(fields)
    return client.post(f"{BASE}/api/v1/apps", body)


def password_grant(client, app, *, username="ann@example.com", password=PASSWORD, **extra):
    return client.post(
        f"{BASE}/oauth/token",
        {
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": username,
            "password": password,
            "scope": "read write follow",
            **extra,
        },
    )


def test_instance_v1_and_v2_say_they_speak_mastodon_4_3(client):
    v1 = client.get(f"{BASE}/api/v1/instance")
    v2 = client.get(f"{BASE}/api/v2/instance/")
    assert v1.status_code == v2.status_code == 200
    assert v1.json()["version"] == "4.3.0 (compatible; social 1.0)"
    assert v2.json()["version"] == v1.json()["version"]
    assert {"uri", "title", "description", "urls", "stats", "configuration"} <= set(v1.json())
    assert {"domain", "title", "configuration", "registrations", "contact"} <= set(v2.json())
    statuses = v2.json()["configuration"]["statuses"]
    assert statuses["max_media_attachments"] == 10


def test_an_app_gets_a_client_id_and_a_secret_kept_only_as_a_digest(client):
    response = register(client, scopes="read write", website="https://tusky.app")
    assert response.status_code == 200
    app = response.json()
    assert {"id", "name", "website", "redirect_uri", "client_id", "client_secret"} <= set(app)
    assert app["scopes"] == ["read", "write"]
    stored = ClientApp.objects.get(client_id=app["client_id"])
    assert app["client_secret"] not in stored.secret_digest


def test_an_app_needs_a_name_and_known_scopes(client):
    assert register(client, client_name="").json()["error"].startswith("Validation failed")
    assert register(client, scopes="read admin:everything").status_code == 400


def test_the_password_grant_starts_a_session_with_one_long_lived_access_token(client, user):
    app = register(client).json()
    response = password_grant(client, app, HTTP_USER_AGENT="Tusky/25")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read write follow"
    claims = decode(body["access_token"])
    assert claims["token_type"] == "access"
    assert claims["user_id"] == str(user.pk)
    session = Session.objects.get(pk=claims["sid"])
    assert session.app.client_id == app["client_id"]
    assert session.expires_at > timezone.now() + timedelta(days=300)
    # The native API takes it, and lists its session.
    header = {"HTTP_AUTHORIZATION": f"Bearer {body['access_token']}"}
    listed = client.get("/api/v1/users/me/sessions", **header).json()["results"]
    assert [s["id"] for s in listed if s["current"]] == [session.pk]


def test_a_wrong_password_or_client_is_an_oauth_error(client, user):
    app = register(client).json()
    wrong = password_grant(client, app, password="wrong")
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    bad_client = password_grant(client, {**app, "client_secret": "nope"})
    assert (bad_client.status_code, bad_client.json()["error"]) == (401, "invalid_client")
    unknown = password_grant(client, app, grant_type="authorization_code")
    assert unknown.json()["error"] == "unsupported_grant_type"


def test_the_password_grant_counts_against_the_per_email_sign_in_limit(client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    app = register(client).json()
    assert [password_grant(client, app, password="x").status_code for _ in range(2)] == [400, 400]
    locked = password_grant(client, app)
    assert locked.status_code == 429
    assert "Retry-After" in locked
    assert "error" in locked.json()
    # The native endpoint shares the count.
    native = client.post(
        "/api/v1/auth/token", {"email": "ann@example.com", "password": PASSWORD}, format="json"
    )
    assert native.status_code == 429


def test_client_credentials_get_an_app_token_that_signs_in_to_nothing(client, user):
    app = register(client).json()
    response = client.post(
        f"{BASE}/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/users/me", **header).status_code == 401


def test_revoking_ends_the_session_and_the_token(client, user):
    app = register(client).json()
    token = password_grant(client, app).json()["access_token"]
    header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/users/me", **header).status_code == 200
    other = register(client).json()
    revoke = {"token": token}
    # Another app's credentials revoke nothing; RFC 7009 answers the same.
    answer = client.post(
        f"{BASE}/oauth/revoke",
        {**revoke, "client_id": other["client_id"], "client_secret": other["client_secret"]},
    )
    assert (answer.status_code, answer.json()) == (200, {})
    assert client.get("/api/v1/users/me", **header).status_code == 200
    answer = client.post(
        f"{BASE}/oauth/revoke",
        {**revoke, "client_id": app["client_id"], "client_secret": app["client_secret"]},
    )
    assert (answer.status_code, answer.json()) == (200, {})
    assert not Session.objects.filter(pk=decode(token)["sid"]).exists()
    assert client.get("/api/v1/users/me", **header).status_code == 401
    garbage = client.post(
        f"{BASE}/oauth/revoke",
        {"token": "nonsense", "client_id": app["client_id"], "client_secret": app["client_secret"]},
    )
    assert garbage.status_code == 200
