"""Fixtures for the feed service's tests.

Access tokens are minted with simplejwt and the same shared key the users service signs with:
the feed's real verification path runs, nothing is mocked.
"""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

# `users_service` (a local stand-in for the users service) and `users_service_down`.
pytest_plugins = ["authors.tests.fixtures"]


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


@pytest.fixture(autouse=True)
def _forget_rendered_posts():
    """Each test renders posts afresh: the rendered-post cache outlives a test's rollback."""
    from posts.api.rendering import rendered

    rendered.clear()
    yield
    rendered.clear()
