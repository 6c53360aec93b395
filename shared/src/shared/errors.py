"""Errors as JSON, always: DRF's shapes for API errors, and JSON for Django's own 404/500 pages."""

import logging
import sys
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    ValidationError as DjangoValidationError,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    """A service this one depends on did not answer in time."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A service this request depends on is unavailable; try again shortly."
    default_code = "upstream_unavailable"


class Unavailable(ServiceUnavailable):
    """503 with `Retry-After`: this service cannot do the work now, and soon may."""

    retry_after = 1

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        if retry_after is not None:
            self.retry_after = retry_after


class DatabaseUnavailable(Unavailable):
    """The database connection was lost or refused (a restart, a failover): retry shortly.

    Django drops a connection that failed, and checks a kept one before reusing it
    (`CONN_HEALTH_CHECKS`), so the next request connects afresh.
    """

    default_detail = "The database is unavailable; try again shortly."
    default_code = "database_unavailable"
    retry_after = 2


# What the database driver raises when it cannot talk to the server (as opposed to a query that
# is wrong, which stays a 500): every OperationalError (lost or refused connections, and also a
# statement cancelled by its timeout, a deadlock, a lock not granted: all "not now") and an
# InterfaceError (a connection already closed under us).
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


class RequestBodyTooLarge(exceptions.APIException):
    """A body over `DATA_UPLOAD_MAX_MEMORY_SIZE` (a JSON body, or a multipart form's fields)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "request_too_large"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's `ValidationError` as a `400` in DRF's shape and a body over
    Django's cap as a `413` (Django itself would answer it as a bare 400)."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestBodyTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        logger.error("database unavailable", exc_info=exc)
        exc = DatabaseUnavailable()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, Unavailable):
        response["Retry-After"] = str(exc.retry_after)
    return response


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": RequestBodyTooLarge.default_detail}, status=413)
    return JsonResponse({"detail": "Bad request."}, status=400)


def json_permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return JsonResponse(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    """Django's 500 view, called while the exception is being handled: one the database raised
    because it is unreachable, or an `Unavailable` raised outside the API (a middleware, the
    admin), is the 503 with `Retry-After` the API would give."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        exc = DatabaseUnavailable()
    if isinstance(exc, Unavailable):
        response = JsonResponse({"detail": str(exc.detail)}, status=exc.status_code)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return JsonResponse({"detail": "Internal server error."}, status=500)


# Each service's `config.urls` imports these names: Django looks its error views up there.
handler400 = json_bad_request
handler403 = json_permission_denied
handler404 = json_not_found
handler500 = json_server_error
