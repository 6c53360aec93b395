"""Send what the throttles counted as `RateLimit-Policy` / `RateLimit` on the response."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shared.throttling.headers import limit_field, policy_field
from shared.throttling.throttles import recorded_quotas


class RateLimitHeadersMiddleware:
    """Add the IETF rate-limit fields for every policy a throttle counted this request against.

    A middleware rather than a base view, so that every DRF view gets them, simplejwt's
    included. It sits outside `IdempotencyMiddleware`: a stored response never keeps the
    fields of the moment it was made, and a replay (which no throttle counted) carries none.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        quotas = recorded_quotas(request)
        if quotas:
            response["RateLimit-Policy"] = policy_field(quotas)
            response["RateLimit"] = limit_field(quotas)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            # The contract: every 429 says when to come back, in whole seconds (>= 1).
            exhausted = [q.reset for q in quotas if q.exhausted]
            response["Retry-After"] = str(max(exhausted, default=1))
        return response
