"""The events the users service consumes (`EVENT_HANDLERS`): its own mail requests.

Like `urls.py` for requests: the edge that checks what arrives and hands it on. A request that
can never be queued is `Unprocessable` (straight to the dead letters); the consumer applies each
event once, in the transaction that queues its message, so a redelivery queues nothing twice.
"""

from mailer.models import MessageKind
from mailer.services import queue_message
from shared.events.consumer import Unprocessable
from shared.events.message import Event

ADDRESS_MAX_LENGTH = 254


def _address(value: object, what: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= ADDRESS_MAX_LENGTH:
        raise Unprocessable(f"{what} is not an email address")
    return value


def queue_requested_mail(event: Event) -> None:
    """`users.mail.requested` -> a message in the mail queue, which `send_mail` sends."""
    payload = event.payload
    try:
        kind = MessageKind(payload.get("kind"))
    except ValueError:
        raise Unprocessable(f"payload.kind {payload.get('kind')!r} is no kind of message") from None
    data = payload.get("data", {})
    if not isinstance(data, dict):
        raise Unprocessable("payload.data is not an object")
    if "new_email" in data:
        _address(data["new_email"], "payload.data.new_email")
    queue_message(
        kind=kind,
        user_id=event.aggregate_id,
        to=_address(payload.get("to"), "payload.to"),
        data=data,
    )
