"""The users service's own throttles: how many account events one account may cause, and the
policies it counts by something other than the caller.

A view names the latter with `client_throttle_scope` (per client address, even for a signed-in
caller) and `recipient_throttle_scope` (per email address a message would go to, so that
nobody can flood one inbox from many clients or accounts); rates in
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` like every other policy.
"""

import hashlib
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings

from shared.throttling.throttles import RateThrottle, client_address


class AccountEventsThrottle(RateThrottle):
    """The `account_events` policy, per user: writes that publish an event every consumer must
    apply (a rename, an avatar change), so that one account cannot flood the others' events.

    A view opts in with `publishes_account_events(request) -> bool`.
    """

    scope = "account_events"

    def applies(self, request: Request, view: Any) -> bool:
        publishes = getattr(view, "publishes_account_events", None)
        return publishes is not None and publishes(request)


class ClientAddressRateThrottle(RateThrottle):
    def get_scope(self, request: Request, view: Any) -> str | None:
        return getattr(view, "client_throttle_scope", None)

    def ident(self, request: Request, view: Any) -> str:
        return f"addr:{client_address(request)}"


class RecipientRateThrottle(RateThrottle):
    def get_scope(self, request: Request, view: Any) -> str | None:
        return getattr(view, "recipient_throttle_scope", None)

    def ident(self, request: Request, view: Any) -> str:
        # The view says whom the message would go to; a digest keeps addresses out of the table.
        recipient = view.throttle_recipient(request).strip().lower()
        return "email:" + hashlib.sha256(recipient.encode()).hexdigest()


# The service's defaults (per-view scope, writes, uploads, account events) and the two above.
MAIL_THROTTLE_CLASSES = [
    *api_settings.DEFAULT_THROTTLE_CLASSES,
    ClientAddressRateThrottle,
    RecipientRateThrottle,
]
