"""JSON logs, one object a line, each carrying the gateway's request id.

`django-log-request-id` keeps the id of the current request in a thread-local and its filter copies
it onto every record; `python-json-logger` writes the record as JSON.
"""

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from log_request_id import local as request_id_local
from pythonjsonlogger.json import JsonFormatter

access_logger = logging.getLogger("access")


def logging_config(*, service: str, level: str = "INFO") -> dict[str, Any]:
    """Return a `LOGGING` dict that writes JSON lines to stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "log_request_id.filters.RequestIDFilter"},
            "service": {"()": "shared.logging.ServiceFilter", "service": service},
        },
        "formatters": {
            "json": {
                "()": "shared.logging.UtcJsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(service)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id", "service"],
            },
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Our access log replaces Django's own request lines.
            "django.server": {"level": "WARNING"},
            "django.request": {"level": "ERROR"},
        },
    }


class UtcJsonFormatter(JsonFormatter):
    """JSON lines whose `time` is UTC ISO 8601 with milliseconds, as the gateway writes it."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        return f"{moment:%Y-%m-%dT%H:%M:%S}.{int(record.msecs):03d}Z"


REQUEST_ID_HEADER = "X-Request-ID"


def request_id_headers() -> dict[str, str]:
    """`X-Request-ID` of the request being served, for the HTTP calls it makes to other services,
    so that one request can be followed through every service's log lines."""
    request_id = getattr(request_id_local, "request_id", None)
    return {REQUEST_ID_HEADER: request_id} if request_id else {}


class ServiceFilter(logging.Filter):
    """Stamp every record with the service's name so mixed log streams stay readable."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        return True


class AccessLogMiddleware:
    """Log one line per request: method, path, status, duration and the caller's id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        access_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": getattr(user, "id", None) if user and user.is_authenticated else None,
            },
        )
        return response
