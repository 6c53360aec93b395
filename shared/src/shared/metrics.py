"""Prometheus metrics for a service, served at `GET /metrics` on its own port (never the gateway's).

- `http_requests_total{method,route,status}` and `http_request_duration_seconds{method,route}`:
  every request, by its URL pattern (`api/v1/posts/<id:post_id>`), never by its raw path;
- `http_request_db_seconds{route}` and `http_request_db_queries_total{route}`: the time spent in
  the database and the statements sent, per request;
- `http_requests_throttled_total{policy}`: requests refused by a rate limit (shared.throttling);
- one gauge per numeric field of the service's `READINESS_CHECKS` (the `/readyz` fields: the
  outbox backlog and its age...), read at scrape time, so a new readiness field is a new metric.

Under gunicorn every worker writes its samples to files in `PROMETHEUS_MULTIPROC_DIR` (set by
shared.gunicorn_conf) and a scrape sums them; elsewhere (runserver, tests) one process registry.
The endpoint answers from the outermost middleware, before host validation: Prometheus scrapes a
pod by its address, which is in no ALLOWED_HOSTS.
"""

import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# Clients choose the method; anything unusual is counted as one label value.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"
# Seconds: the hot reads take 2-10 ms, uploads and deletions up to seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DB_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)

REQUESTS = Counter(
    "http_requests_total", "Requests answered, by route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by route.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
DB_TIME = Histogram(
    "http_request_db_seconds",
    "Time a request spent in database statements, by route.",
    ["route"],
    buckets=DB_BUCKETS,
)
DB_QUERIES = Counter(
    "http_request_db_queries_total", "Database statements sent, by route.", ["route"]
)
THROTTLED = Counter(
    "http_requests_throttled_total", "Requests refused by a rate limit, by policy.", ["policy"]
)


class _QueryTimer:
    """A `connection.execute_wrapper` that adds up the time and count of a request's statements."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None and match.route else UNMATCHED


class MetricsMiddleware:
    """Count and time every request; answer `GET /metrics`. Outermost in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == METRICS_PATH:
            return metrics_response()
        started = time.perf_counter()
        queries = _QueryTimer()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(elapsed)
        DB_TIME.labels(route).observe(queries.seconds)
        if queries.count:
            DB_QUERIES.labels(route).inc(queries.count)
        return response


class ReadinessCollector(Collector):
    """The numeric `/readyz` fields of READINESS_CHECKS as gauges, read at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = 1
        fields: dict[str, Any] = {}
        try:
            for path in getattr(settings, "READINESS_CHECKS", []):
                fields.update(import_string(path)() or {})
        except Exception:
            logger.warning("a readiness check failed during a metrics scrape", exc_info=True)
            up = 0
        yield GaugeMetricFamily("readiness_checks_up", "1 when every readiness check answered.", up)
        for name, value in sorted(fields.items()):
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            yield GaugeMetricFamily(name, f"/readyz field {name}.", value)


def metrics_response() -> HttpResponse:
    scraped = CollectorRegistry()
    scraped.register(ReadinessCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        workers = CollectorRegistry()
        multiprocess.MultiProcessCollector(workers)
        body = generate_latest(workers)
    else:
        body = generate_latest(REGISTRY)
    return HttpResponse(body + generate_latest(scraped), content_type=CONTENT_TYPE_LATEST)
