"""The events the users service consumes (`EVENT_HANDLERS`): its own mail requests, and the
feed's blocks (which hide a blocker's profile from the account they block).

Like `urls.py` for requests: the edge that checks what arrives and hands it on. A request that
can never be queued is `Unprocessable` (straight to the dead letters); the consumer applies each
event once, in the transaction that queues its message, so a redelivery queues nothing twice.
"""

from blocks.services import apply_block_event
from mailer.models import MessageKind
from mailer.services import queue_message
from shared.events.consumer import Unprocessable
from shared.events.message import MAX_BIGINT, Event

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


def apply_block(event: Event) -> None:
    """`feed.block.created|deleted` (aggregate: the blocker) -> the replica of who blocks whom."""
    blocked_id = event.payload.get("blocked_id")
    if (
        not isinstance(blocked_id, int)
        or isinstance(blocked_id, bool)
        or not 0 < blocked_id <= MAX_BIGINT
    ):
        raise Unprocessable("payload.blocked_id is not an id")
    apply_block_event(
        sequence=event.sequence,
        blocker_id=event.aggregate_id,
        blocked_id=blocked_id,
        active=event.type == "feed.block.created",
    )
