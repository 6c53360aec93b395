"""Fixtures for the users service's tests: API clients, accounts, images."""

import io
from collections.abc import Callable

import pytest
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import create_account, issue_token_pair

PASSWORD = "a sturdy passphrase 42"


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    counter = iter(range(1, 1_000_000))

    def make(**fields: object) -> User:
        n = next(counter)
        fields.setdefault("email", f"user{n}@example.com")
        fields.setdefault("username", f"user{n}")
        fields.setdefault("password", PASSWORD)
        return create_account(**fields)

    return make


@pytest.fixture
def user(make_user) -> User:
    return make_user(email="ann@example.com", username="ann", name="Ann Bell")


def bearer(user: User) -> dict[str, str]:
    """An Authorization header with a real access token for `user`."""
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token_pair(user)['access']}"}


@pytest.fixture
def auth_client(user) -> APIClient:
    api = APIClient()
    api.credentials(**bearer(user))
    return api


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), **save_args: object) -> bytes:
    """A small real image in `fmt` (JPEG, PNG, GIF, WEBP, BMP...)."""
    image = Image.new("RGB", size, color=(200, 30, 30))
    if fmt == "GIF":
        image = image.convert("P")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_args)
    return buffer.getvalue()
