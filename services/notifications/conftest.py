"""Fixtures for the notifications service's tests.

Access tokens are minted with simplejwt and the same shared key the users service signs with:
the real verification path runs, nothing is mocked. Notifications are made the way events make
them, by calling the `apply_*` service functions the event handlers call.
"""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


def mint_access_token(user_id: int | str, username: str = "someone") -> str:
    token = AccessToken()
    token["user_id"] = str(user_id)
    token["username"] = username
    return str(token)


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[..., APIClient]:
    """An API client authenticated as the given user id."""

    def make(user_id: int, username: str | None = None) -> APIClient:
        client = APIClient()
        token = mint_access_token(user_id, username or f"user{user_id}")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make
