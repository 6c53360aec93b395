"""Profile feed requests in-process against the benchmark database (where does the time go?).

    VAR_DIR=$PWD/var/bench/stack ENV_FILE=$PWD/var/bench/.env PG_PORT=18432 \
        .venv/bin/python deploy/local/stack.py db-start      # the data `make bench` seeded
    .venv/bin/python bench/profile_requests.py [--path /api/v1/feed] [--viewer 1000]
                                               [--requests 300] [--sort tottime]
    VAR_DIR=... ENV_FILE=... PG_PORT=18432 .venv/bin/python deploy/local/stack.py db-stop

Calls the feed's WSGI application as gunicorn does (request signals, middleware, JWT
authentication, view, rendering), without gunicorn or nginx: it prints the mean time per
request, the SQL a request sends, and the functions cProfile finds the time in. `{viewer}` in a
path is replaced by the viewer's id.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_ENV = REPO / "var" / "bench" / ".env"


def configure(port: str) -> None:
    sys.path.insert(0, str(REPO / "deploy" / "local"))
    from stack import read_env_file  # the stack's own .env reader (stdlib only)

    secrets = read_env_file(BENCH_ENV)
    os.environ.update(
        {
            "ENV_FILE": str(BENCH_ENV),
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "FEED_DATABASE_URL": (
                f"postgres://feed:{secrets['FEED_DB_PASSWORD']}@127.0.0.1:{port}/feed"
            ),
            "BENCHMARK_ENDPOINTS": "true",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(REPO / "services" / "feed"))
    import django

    django.setup()


def token(user_id: int) -> str:
    """An access token as the users service issues it (simplejwt, the shared settings)."""
    from rest_framework_simplejwt.tokens import AccessToken

    access = AccessToken()
    access["user_id"] = str(user_id)
    access["username"] = f"user{user_id}"
    return str(access)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--path", default="/api/v1/feed")
    parser.add_argument("--viewer", type=int, default=1000)
    parser.add_argument("--anonymous", action="store_true", help="send no token")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key, e.g. tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--pg-port", default=os.environ.get("PG_PORT", "18432"))
    args = parser.parse_args()
    configure(args.pg_port)

    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application = get_wsgi_application()
    path, _, query = args.path.format(viewer=args.viewer).partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "application/json",
        "HTTP_X_FORWARDED_FOR": "127.0.0.1",
        "HTTP_X_REQUEST_ID": uuid.uuid4().hex,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    if not args.anonymous:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token(args.viewer)}"

    def get() -> None:
        status = []
        body = application(dict(environ), lambda s, headers, exc_info=None: status.append(s))
        content = b"".join(body)
        body.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"GET {args.path}: {status[0]} {content[:300]!r}")

    for _ in range(20):
        get()
    with CaptureQueriesContext(connection) as queries:
        get()
    print(f"GET {args.path}: {len(queries)} queries")
    for query in queries:
        print(f"  {query['time']}s  {query['sql'][:160]}")

    started = time.perf_counter()
    for _ in range(args.requests):
        get()
    elapsed = time.perf_counter() - started
    print(f"{args.requests} requests: {elapsed / args.requests * 1000:.2f} ms each (no profiler)")

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        get()
    profile.disable()
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
