"""The feed verifies the users service's tokens locally (shared.auth.StatelessJWTAuthentication)."""

import time

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db


def test_writing_needs_a_token(client):
    response = client.post("/api/v1/posts", {"title": "hi"}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_valid_token_writes_as_its_user(client_for):
    response = client_for(7).post("/api/v1/posts", {"title": "hi"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("user_id", ["abc", "", "1.5", True, "-3", str(2**70)])
def test_a_token_whose_user_id_is_not_a_positive_integer_is_rejected(client, user_id):
    token = AccessToken()
    token["user_id"] = user_id
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post("/api/v1/posts", {"title": "hi"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("claim", "value"),
    [("aud", "someone-else"), ("iss", "someone-else"), ("token_type", "refresh")],
)
def test_a_token_with_a_foreign_claim_is_rejected(client, claim, value):
    payload = {
        "token_type": "access",
        "user_id": "7",
        "jti": "x" * 32,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        "aud": settings.SIMPLE_JWT["AUDIENCE"],
        "iss": settings.SIMPLE_JWT["ISSUER"],
        claim: value,
    }
    token = jwt.encode(payload, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post("/api/v1/posts", {"title": "x"}, format="json").status_code == 401


def test_health_endpoints(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
