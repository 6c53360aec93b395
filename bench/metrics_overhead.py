"""What shared.metrics adds to one request, measured in-process (no server, no database).

    .venv/bin/python bench/metrics_overhead.py [--requests 20000]

Times the feed's URL resolution and a trivial response with and without MetricsMiddleware
around them, in gunicorn's multiprocess mode (samples written to files, as in production), and
the cost its database-time wrapper adds to each statement. The difference is what every request
pays for its counters, histograms and database timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prometheus-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("FEED_DATABASE_URL", "postgres://feed:x@127.0.0.1:9/feed")
    os.environ["ENV_FILE"] = os.devnull
    sys.path.insert(0, str(REPO / "services" / "feed"))

    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from shared.metrics import MetricsMiddleware, _QueryTimer

    def view(request):
        request.resolver_match = resolve(request.path_info)
        return HttpResponse(b"{}")

    bare = view
    measured = MetricsMiddleware(view)
    factory = RequestFactory()
    requests = [factory.get(f"/api/v1/posts/{n % 1000 + 1}") for n in range(args.requests)]

    def per_request(handler) -> float:
        started = time.perf_counter()
        for request in requests:
            handler(request)
        return (time.perf_counter() - started) / len(requests)

    rounds = [(per_request(bare), per_request(measured)) for _ in range(5)]
    overhead = statistics.median(m - b for b, m in rounds)

    timer = _QueryTimer()

    def execute(sql, params, many, context):
        return None

    started = time.perf_counter()
    for _ in range(args.requests):
        timer(execute, "SELECT 1", None, False, None)
    wrapped = (time.perf_counter() - started) / args.requests
    started = time.perf_counter()
    for _ in range(args.requests):
        execute("SELECT 1", None, False, None)
    plain = (time.perf_counter() - started) / args.requests

    print(f"requests per round: {args.requests}, median of {len(rounds)} rounds")
    print(f"without the middleware: {statistics.median(b for b, _ in rounds) * 1e6:.1f} us")
    print(f"with the middleware:    {statistics.median(m for _, m in rounds) * 1e6:.1f} us")
    print(f"middleware per request: {overhead * 1e6:.1f} us")
    print(f"database timing per statement: {(wrapped - plain) * 1e6:.2f} us")


if __name__ == "__main__":
    main()
