"""The users service's own event handler: a mail request becomes one queued message, once."""

import uuid

import pytest
from django.utils import timezone

from config.events import queue_requested_mail
from mailer.models import Message
from shared.events.consumer import Unprocessable, apply_once
from shared.events.message import Event

pytestmark = pytest.mark.django_db


def mail_request(**payload: object) -> Event:
    return Event(
        id=uuid.uuid4(),
        type="users.mail.requested",
        aggregate_id=7,
        sequence=1,
        occurred_at=timezone.now(),
        producer="users",
        request_id="req-1",
        payload={"kind": "password_reset", "to": "ann@example.com", "data": {}, **payload},
    )


def test_a_redelivered_request_queues_one_message():
    event = mail_request()
    assert apply_once(event, queue_requested_mail) is True
    assert apply_once(event, queue_requested_mail) is False
    message = Message.objects.get()
    assert (message.kind, message.user_id, message.to) == ("password_reset", 7, "ann@example.com")


@pytest.mark.parametrize(
    "payload",
    [{"kind": "spam"}, {"to": ""}, {"to": None}, {"data": []}, {"data": {"new_email": 5}}],
)
def test_a_request_that_can_never_be_queued_is_unprocessable(payload):
    with pytest.raises(Unprocessable):
        queue_requested_mail(mail_request(**payload))
    assert not Message.objects.exists()
