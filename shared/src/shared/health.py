"""`/healthz` (the process answers) and `/readyz` (its dependencies answer) for both services.

`/readyz` runs a trivial query on every configured database, then each callable named in the
`READINESS_CHECKS` setting; a check returns a dict of extra fields or raises to mark not-ready.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    body: dict[str, Any] = {"status": "ok"}
    try:
        for alias in connections:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        for path in getattr(settings, "READINESS_CHECKS", []):
            check: Callable[[], dict[str, Any]] = import_string(path)
            body.update(check() or {})
    except Exception as exc:
        # Readiness must answer, not crash: a failing dependency is reported as 503.
        logger.warning("readiness check failed", exc_info=True)
        return JsonResponse({"status": "unavailable", "detail": str(exc)}, status=503)
    return JsonResponse(body)
