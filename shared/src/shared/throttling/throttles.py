"""DRF throttle classes both services use by default (see `shared.settings.rest_framework`).

Each throttle counts in Postgres (`counters.hit`) with a fixed window per caller, and records
what it counted on the request so `RateLimitHeadersMiddleware` can send the IETF
`RateLimit-Policy` / `RateLimit` fields, on successes and on `429`s alike.
"""

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from shared.metrics import THROTTLED
from shared.throttling import counters
from shared.throttling.rates import Rate, parse_rate

QUOTAS_ATTRIBUTE = "rate_limit_quotas"
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Quota:
    """One policy's state after counting this request, as the IETF fields report it."""

    policy: str
    limit: int
    window: int
    remaining: int
    reset: int  # seconds until the window ends, >= 1

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0


def client_address(request: HttpRequest | Request) -> str:
    """The caller's address as DRF's throttles see it (honours the `NUM_PROXIES` setting).

    Behind the gateway, `NUM_PROXIES = 1` makes this the address nginx saw, which a client
    cannot forge by sending its own X-Forwarded-For.
    """
    return BaseThrottle().get_ident(request) or "unknown"


def caller_ident(request: Request) -> str:
    """`user:<id>` for an authenticated caller, otherwise `addr:<client address>`."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"addr:{client_address(request)}"


def recorded_quotas(request: HttpRequest) -> list[Quota]:
    return list(getattr(request, QUOTAS_ATTRIBUTE, ()))


def _record(request: Request, quota: Quota) -> None:
    # Kept on Django's HttpRequest, which the middleware sees; DRF's Request wraps it.
    http_request = getattr(request, "_request", request)
    quotas = [q for q in recorded_quotas(http_request) if q.policy != quota.policy]
    setattr(http_request, QUOTAS_ATTRIBUTE, [*quotas, quota])


class RateThrottle(BaseThrottle):
    """A policy named by its scope, counted per caller in fixed windows.

    Subclasses choose the scope (`get_scope`) and which requests count (`applies`). The rate
    is read from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]` on every request, so tests
    can change it with `override_settings`; a rate of `None` switches the policy off.
    """

    scope: str | None = None

    def __init__(self) -> None:
        self._wait: int | None = None

    def get_scope(self, request: Request, view: Any) -> str | None:
        return self.scope

    def applies(self, request: Request, view: Any) -> bool:
        return True

    def ident(self, request: Request, view: Any) -> str:
        """Who is counted: the caller, unless a policy counts something else (an address)."""
        return caller_ident(request)

    def get_rate(self, scope: str) -> Rate | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate set for the {scope!r} scope.")
        rate = rates[scope]
        return None if rate is None else parse_rate(rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = self.get_scope(request, view)
        if not scope or not self.applies(request, view):
            return True
        rate = self.get_rate(scope)
        if rate is None:
            return True
        key = f"{scope}:{self.ident(request, view)}"
        if len(key) > MAX_KEY_LENGTH:
            # An unusually long address must not break the insert; a digest keeps it unique.
            key = f"{scope}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
        now = time.time()
        hit = counters.hit(key, rate.window, now=now)
        quota = Quota(
            policy=scope,
            limit=rate.limit,
            window=rate.window,
            remaining=max(0, rate.limit - hit.count),
            reset=max(1, math.ceil(hit.window_end - now)),
        )
        _record(request, quota)
        allowed = hit.count <= rate.limit
        if not allowed:
            THROTTLED.labels(scope).inc()
        # Retry-After: an integer number of seconds, at least 1, until the window ends.
        self._wait = None if allowed else quota.reset
        return allowed

    def wait(self) -> int | None:
        return self._wait


class ScopedRateThrottle(RateThrottle):
    """DRF's ScopedRateThrottle semantics: views opt in with `throttle_scope = "<scope>"`."""

    def get_scope(self, request: Request, view: Any) -> str | None:
        return getattr(view, "throttle_scope", None)


class WriteRateThrottle(RateThrottle):
    """The `writes` policy: every unsafe request (POST, PUT, PATCH, DELETE) per caller."""

    scope = "writes"

    def applies(self, request: Request, view: Any) -> bool:
        return request.method not in SAFE_METHODS


class UploadRateThrottle(RateThrottle):
    """The `uploads` policy: every unsafe multipart request (images, avatars) per caller.

    Files are what is cheap to send and dear to process; this counts them apart from the
    generous `writes` policy. Judged from the Content-Type alone: nothing is parsed here.
    """

    scope = "uploads"

    def applies(self, request: Request, view: Any) -> bool:
        content_type = request.META.get("CONTENT_TYPE", "")
        return request.method not in SAFE_METHODS and content_type.startswith("multipart/")
