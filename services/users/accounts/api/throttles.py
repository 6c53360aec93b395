"""The users service's own throttle: how many account events one account may cause."""

from typing import Any

from rest_framework.request import Request

from shared.throttling.throttles import RateThrottle


class AccountEventsThrottle(RateThrottle):
    """The `account_events` policy, per user: writes that publish an event every consumer must
    apply (a rename, an avatar change), so that one account cannot flood the others' events.

    A view opts in with `publishes_account_events(request) -> bool`.
    """

    scope = "account_events"

    def applies(self, request: Request, view: Any) -> bool:
        publishes = getattr(view, "publishes_account_events", None)
        return publishes is not None and publishes(request)
