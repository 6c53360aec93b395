"""`Idempotency-Key` on every unsafe request (POST, PUT, PATCH, DELETE) of a service.

- The key is 1-255 visible ASCII characters; anything else is a `400`.
- Keys are scoped to the caller: the user id of the access token, authenticated with the very
  authenticators the view will use (so simplejwt's own views are covered as well), or, for a
  request without credentials (sign-up, log-in), the client's address as the throttles see it.
  A request whose credentials are invalid is left alone: its view answers `401`.
- The first request with a key claims it (an atomic insert) and runs; its response is kept for
  `IDEMPOTENCY_TTL_SECONDS` (24 hours) and replayed, with `Idempotency-Replayed: true`, to a
  retry with the same method, path and body. The same key with a different request is a `422`;
  a retry while the first is still running is a `409` with `Retry-After`.
- 5xx, 408, 425 and 429 responses are not kept (the retry runs again); other 4xx are.
- Credentials are never kept: a view with `idempotency_exempt = True` (the token endpoints) runs
  every time, key or not, and a response marked `Cache-Control: no-store` is released, not kept.

A middleware rather than a DRF mixin: it must read the raw body before DRF's parsers do (see
`fingerprint.py`), and it covers every view, third-party ones included, without their help.
"""

import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

from shared.idempotency import store
from shared.idempotency.fingerprint import close_spool, fingerprint
from shared.throttling.throttles import client_address

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
MAX_SCOPE_LENGTH = 100
IN_PROGRESS_RETRY_AFTER_SECONDS = 1
CLAIM_ATTRIBUTE = "_idempotency_claim"


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
            claim: store.Claimed | None = request.__dict__.pop(CLAIM_ATTRIBUTE, None)
            if claim is not None:
                # Django has already turned any exception of the view into a (500) response.
                store.complete(claim.record_id, response)
            return response
        finally:
            close_spool(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        key = request.headers.get(HEADER)
        if key is None or request.method not in UNSAFE_METHODS:
            return None
        view_class = getattr(view_func, "cls", None)
        if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
            # Only the API honours the header; the Django admin's forms do not need it.
            return None
        if getattr(view_class, "idempotency_exempt", False):
            return None
        if not KEY_PATTERN.fullmatch(key):
            return JsonResponse(
                {"detail": f"{HEADER} must be 1 to 255 visible ASCII characters."}, status=400
            )
        scope = caller_scope(request, view_func)
        if scope is None:
            return None

        outcome = store.claim(scope=scope, key=key, fingerprint=fingerprint(request))
        if isinstance(outcome, store.Claimed):
            setattr(request, CLAIM_ATTRIBUTE, outcome)
            return None
        if isinstance(outcome, store.Mismatch):
            return JsonResponse(
                {
                    "detail": f"This {HEADER} was already used for a different request "
                    "(method, path or body); use a new key for a new request."
                },
                status=422,
            )
        if isinstance(outcome, store.InProgress):
            response = JsonResponse(
                {"detail": f"A request with this {HEADER} is still being processed."},
                status=409,
            )
            response["Retry-After"] = str(IN_PROGRESS_RETRY_AFTER_SECONDS)
            return response
        return replay(outcome)


def caller_scope(request: HttpRequest, view_func: Callable[..., HttpResponse]) -> str | None:
    """Whose key this is: `user:<id>`, `addr:<client address>`, or None for bad credentials."""
    view = view_func.cls(**getattr(view_func, "initkwargs", {}))  # type: ignore[attr-defined]
    # DRF's Request runs the view's authenticators exactly as the view will (and honours
    # APIClient.force_authenticate in tests). It reads headers only, never the body.
    drf_request = Request(request, authenticators=view.get_authenticators())
    try:
        user = drf_request.user
    except exceptions.APIException:
        return None
    if user is not None and user.is_authenticated:
        scope = f"user:{user.pk}"
    else:
        scope = f"addr:{client_address(request)}"
    return scope[:MAX_SCOPE_LENGTH]


def replay(outcome: store.Replay) -> HttpResponse:
    if outcome.body is None:
        return JsonResponse(
            {
                "detail": f"The request with this {HEADER} has completed, but its response was "
                "too large to keep for replay; read the resource instead."
            },
            status=409,
        )
    response = HttpResponse(outcome.body, status=outcome.status)
    del response["Content-Type"]
    for name, value in outcome.headers:
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response
