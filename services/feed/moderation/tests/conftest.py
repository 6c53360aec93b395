"""A staff caller for the moderation tests: a token minted like the users service mints a
superuser's, `is_staff: true`."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


@pytest.fixture
def staff_client() -> Callable[..., APIClient]:
    def make(user_id: int = 900, username: str = "moderator", *, is_staff: bool = True):
        token = AccessToken()
        token["user_id"] = str(user_id)
        token["username"] = username
        token["is_staff"] = is_staff
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make
