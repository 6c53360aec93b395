"""Request plumbing every service needs before URL resolution: trailing slashes, which proxy
headers to believe, a deadline from the gateway, a Content-Security-Policy for HTML."""

import ipaddress
import math
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class OptionalTrailingSlashMiddleware:
    """Let `/api/v1/posts/` resolve like `/api/v1/posts`, as the contract promises.

    URL patterns are written without the slash; this strips one from API paths only, so the
    Django admin keeps its own slash-appending behaviour.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if len(path) > 1 and path.endswith("/") and path.startswith(("/api/", "/internal/")):
            request.path_info = path.rstrip("/") or "/"
        return self.get_response(request)


# For the pages a service renders as HTML (the Django admin): everything from this origin, never
# framed, no plugins. Django 5.2 has no CSP of its own; the API docs page sets a stricter one.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Give every HTML response that has no Content-Security-Policy of its own the one above."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if html and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


# Request headers only the gateway may set: what it says about the client and the request.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_X_REQUEST_START",
)


def trusted_proxies() -> list[str]:
    """Who may say who the client is: `FORWARDED_ALLOW_IPS`, the list gunicorn trusts too
    (addresses or networks, comma-separated; `*` for any peer, where nothing but the gateway
    can reach the service, e.g. behind a NetworkPolicy). Default: this machine."""
    configured = getattr(settings, "FORWARDED_ALLOW_IPS", None)
    if configured is None:
        configured = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    return [item.strip() for item in configured.split(",") if item.strip()]


class TrustedProxyMiddleware:
    """Drop the gateway's headers from a request that did not come from the gateway.

    Reached directly, a service would otherwise take a client's own `X-Forwarded-For` as its
    address (dodging every per-client limit), its `X-Forwarded-Proto` as HTTPS, and its
    `X-Request-Start` as a deadline.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        proxies = trusted_proxies()
        self.anyone = "*" in proxies
        self.networks = [
            ipaddress.ip_network(item, strict=False) for item in proxies if item != "*"
        ]

    def _trusted(self, address: str) -> bool:
        if self.anyone:
            return True
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._trusted(request.META.get("REMOTE_ADDR", "")):
            for header in PROXY_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class RequestDeadlineMiddleware:
    """Refuse, with a JSON 503, a request that waited so long that its client has given up.

    The gateway stamps each request as it passes it on (`X-Request-Start: t=<seconds>`); a
    request that then queued behind busy workers for more than `REQUEST_QUEUE_DEADLINE_SECONDS`
    is answered without running, since the gateway may already have told the client 504 and a
    write done now would be one the client believes failed. Set the deadline below the
    gateway's `proxy_read_timeout` by at least the longest a request may run
    (docs/security.md); 0 turns this off.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.default_deadline = float(os.environ.get("REQUEST_QUEUE_DEADLINE_SECONDS", "15"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        deadline = getattr(settings, "REQUEST_QUEUE_DEADLINE_SECONDS", self.default_deadline)
        started = _request_start(request.META.get("HTTP_X_REQUEST_START", ""))
        if deadline and started is not None and time.time() - started > deadline:
            response = JsonResponse(
                {"detail": "The request waited too long to be served; it was not run."},
                status=503,
            )
            response["Retry-After"] = "1"
            return response
        return self.get_response(request)


def _request_start(value: str) -> float | None:
    """Seconds since the epoch from `t=1733280000.123` (nginx's $msec), else None."""
    number = value.removeprefix("t=")
    try:
        started = float(number)
    except ValueError:
        return None
    return started if math.isfinite(started) else None
