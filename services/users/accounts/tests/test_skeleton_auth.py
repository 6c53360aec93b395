"""Sign-up and token issue: the claims the feed service relies on."""

import jwt
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    body = {"email": "Ann@Example.com", "username": "Ann.B", "password": "a sturdy passphrase 42"}
    body.update(overrides)
    return client.post("/api/v1/auth/signup", body, format="json")


def test_sign_up_stores_the_username_lower_case_and_returns_the_private_profile(client):
    response = sign_up(client)
    assert response.status_code == 201
    assert response.json()["username"] == "ann.b"
    assert set(response.json()) == {
        "id",
        "username",
        "name",
        "bio",
        "website",
        "avatar_url",
        "date_joined",
        "email",
    }


def test_access_token_carries_user_id_username_issuer_and_audience(client):
    sign_up(client)
    response = client.post(
        "/api/v1/auth/token",
        {"email": "ann@example.com", "password": "a sturdy passphrase 42"},
        format="json",
    )
    assert response.status_code == 200
    claims = jwt.decode(
        response.json()["access"],
        settings.SIMPLE_JWT["SIGNING_KEY"],
        algorithms=["HS256"],
        audience=settings.SIMPLE_JWT["AUDIENCE"],
        issuer=settings.SIMPLE_JWT["ISSUER"],
    )
    assert claims["username"] == "ann.b"
    assert claims["token_type"] == "access"
    assert {"exp", "iat", "jti", "user_id"} <= set(claims)


def test_health_endpoints(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
