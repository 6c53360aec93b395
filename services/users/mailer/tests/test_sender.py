"""The mailer against a real SMTP server (aiosmtpd on a free port): down, then up, nothing lost."""

import email
import socket
from email.message import Message as EmailMessage

import pytest
from aiosmtpd.controller import Controller
from conftest import deliver_mail_requests
from django.db.models import F
from django.utils import timezone

from mailer.models import Message, MessageKind
from mailer.sender import Mailer

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler that keeps what it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Point Django's SMTP backend at a port where nothing listens yet; `start()` opens it."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    settings.FRONTEND_URL = "https://app.example"
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    inbox.start = controller.start
    yield inbox
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def request_resets(client, count: int) -> None:
    for _ in range(count):
        response = client.post(
            "/api/v1/auth/password/reset", {"email": "ann@example.com"}, format="json"
        )
        assert response.status_code == 202
    deliver_mail_requests()


def test_mail_waits_while_the_server_is_down_and_arrives_once_when_it_is_back(client, user, smtp):
    request_resets(client, 3)
    assert Mailer().send_all_due() == 0
    pending = Message.objects.filter(kind=MessageKind.PASSWORD_RESET)
    assert [(m.sent_at, m.attempts) for m in pending] == [(None, 1)] * 3
    assert all("Connection refused" in m.last_error for m in pending)

    smtp.start()
    # Time moved on rather than waited for: the retries are due now.
    pending.update(next_attempt_at=timezone.now())
    assert Mailer().send_all_due() == 3
    assert Mailer().send_all_due() == 0
    assert len(smtp.messages) == 3
    assert all(m.sent_at is not None and not m.skipped for m in pending)
    assert pending.filter(attempts=2).count() == 3


def test_a_message_has_a_plain_text_part_with_the_link_and_an_html_part(client, user, smtp):
    smtp.start()
    request_resets(client, 1)
    Mailer().send_all_due()
    [received] = smtp.messages
    assert received["To"] == "ann@example.com"
    assert "password" in received["Subject"].lower()
    parts = {part.get_content_type(): part for part in received.walk()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    assert "https://app.example/reset-password?uid=" in text
    assert "&token=" in text
    assert "&amp;token=" in html


def test_a_failure_defers_the_rest_of_the_batch_with_back_off(client, user, smtp, settings):
    settings.MAIL_RETRY_BASE_SECONDS = 60
    request_resets(client, 2)
    Mailer().send_due()
    waiting = Message.objects.all()
    assert all(m.attempts == 1 for m in waiting)
    assert waiting.filter(next_attempt_at__gt=F("created_at")).count() == 2
    assert Mailer().send_due() == 0
