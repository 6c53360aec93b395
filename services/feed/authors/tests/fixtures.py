"""Fixtures for code that talks to the users service, loaded for every app by ../../conftest.py."""

import socket
from collections.abc import Iterator

import pytest

from authors.tests.standin import UsersServiceStandIn


@pytest.fixture
def users_service(settings) -> Iterator[UsersServiceStandIn]:
    """A local stand-in for the users service (see standin.py), wired into the settings."""
    standin = UsersServiceStandIn(token=settings.INTERNAL_API_TOKEN)
    with standin.running():
        settings.USERS_SERVICE_URL = standin.url
        yield standin


@pytest.fixture
def users_service_down(settings) -> str:
    """Point the settings at a local port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.USERS_SERVICE_URL = f"http://127.0.0.1:{port}"
    return settings.USERS_SERVICE_URL
