"""Fixtures for the users service's tests: API clients, accounts, images, rates, mail."""

import io
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from PIL import Image
from rest_framework.test import APIClient

from accounts.events import MAIL_REQUESTED
from accounts.models import User
from accounts.services import create_account, issue_token_pair
from config.events import queue_requested_mail
from mailer.sender import Mailer
from shared.events.consumer import apply_once
from shared.events.message import Event
from shared.events.models import OutboxEvent

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


@pytest.fixture
def rates(settings):
    """Set some throttle rates for one test (the throttles read them on every request)."""

    def set_rates(**scopes: str) -> None:
        framework = dict(settings.REST_FRAMEWORK)
        framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **scopes}
        settings.REST_FRAMEWORK = framework

    return set_rates


def deliver_mail_requests() -> None:
    """What the relay and the users consumer do with the mail requests recorded so far.

    The handler is applied as the consumer applies it (`apply_once`, so never twice); the broker
    between them is tested end to end (tests/test_account_lifecycle.py).
    """
    for row in OutboxEvent.objects.filter(type=MAIL_REQUESTED).order_by("id"):
        apply_once(Event.from_outbox(row, producer="users"), queue_requested_mail)


def send_queued_mail() -> list[mail.EmailMultiAlternatives]:
    """Deliver the mail requests, run the mailer (test settings: Django's in-memory backend);
    return what it sent."""
    deliver_mail_requests()
    before = len(mail.outbox)
    Mailer().send_all_due()
    return mail.outbox[before:]


def link_query(message: mail.EmailMessage) -> dict[str, str]:
    """The query of the link in a message's plain-text part: `{"token": ..., "uid": ...}`."""
    url = re.search(r"https?://\S+", message.body).group(0)
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
