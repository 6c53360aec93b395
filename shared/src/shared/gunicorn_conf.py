"""Gunicorn settings for both services (`gunicorn -c python:shared.gunicorn_conf ...`).

Workers and timeouts come from the environment so that a second stack (the end-to-end tests,
the benchmark) can run beside a developer's with its own sizes.
"""

import os
import shutil
import tempfile
from typing import Any

from shared import gunicorn_errors

# Requests gunicorn cannot parse are answered in JSON too.
gunicorn_errors.install()

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers (one request at a time per process) unless GUNICORN_THREADS > 1 (the gthread
# worker). Measured with `make bench`'s scenarios (2 cores, 3 feed workers, median of 3): with
# 2 or 4 threads the floor view ran at about the same rate (-5%, +2%), and the timeline, a
# user's posts and a single post 7-24% slower. Those requests are CPU-bound Python, so threads
# add GIL contention (and a database connection each) while the upstream keep-alive they allow
# saves little. Threads pay off when workers mostly wait on I/O, e.g. on a slow users service.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Bound every wait: a stuck worker is killed and replaced after `timeout` seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
# The gateway keeps upstream connections open; keep them a little longer than nginx does
# (threaded workers only: a sync worker closes the connection after each response).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max(max_requests // 10, 0)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - tmpfs heartbeat
# The gateway caps request lines and header fields at 6 KiB (large_client_header_buffers);
# gunicorn must accept more, or it answers an HTML 414/431 of its own.
limit_request_line = 8190
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn 27 opens a control socket (for `gunicornc`) at one path per user by default, so the
# native stack's two services, and a test or benchmark stack beside a developer's, would all
# claim the same socket. Processes here are managed with signals (honcho, Docker, Kubernetes).
control_socket_disable = True
# Django writes the JSON access line (with the request id); gunicorn's own would repeat it,
# and its logger would build a record per request for no handler (shared.gunicorn_logging).
accesslog = None
logger_class = "shared.gunicorn_logging.Logger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "shared.logging.UtcJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False},
    },
}

# Prometheus metrics (shared.metrics) from every worker: each writes its samples to files in one
# folder, summed at each scrape. One fresh folder per gunicorn master (under /tmp, writable in
# every container), unless the environment names one. Set when the master starts, not when this
# file is imported, so that nothing else that imports it (a test) hands its folder on.
_metrics_dir: list[str] = []  # and the work slots' folder (shared.slots)


def on_starting(server: Any) -> None:
    # The folder of the work slots (shared.slots) that every worker of this master shares.
    os.environ["WORK_SLOTS_DIR"] = tempfile.mkdtemp(prefix="work-slots-")
    _metrics_dir.append(os.environ["WORK_SLOTS_DIR"])
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if named:
        # Samples of an earlier run in a named folder would be summed with this one's.
        shutil.rmtree(named, ignore_errors=True)
        os.makedirs(named, exist_ok=True)
    else:
        named = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prometheus-")
    _metrics_dir.append(named)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    for folder in _metrics_dir:
        shutil.rmtree(folder, ignore_errors=True)
