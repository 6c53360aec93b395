"""Run a service's `PERIODIC_JOBS`, each every so many seconds, one at a time."""

import logging
import threading
import time
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def periodic_jobs() -> dict[str, int]:
    """The service's jobs: command name -> interval in seconds."""
    return dict(getattr(settings, "PERIODIC_JOBS", {}))


def run_job(name: str) -> bool:
    """Run one job's command; a failure is logged and the schedule goes on (next time, again)."""
    started = time.monotonic()
    try:
        call_command(name)
    except Exception:
        logger.exception("periodic job failed", extra={"job": name})
        return False
    logger.info(
        "periodic job done",
        extra={"job": name, "duration_ms": round((time.monotonic() - started) * 1000, 2)},
    )
    return True


def run_forever(
    stop: threading.Event,
    jobs: Mapping[str, int] | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run every job at start, then each again when its interval has passed, until `stop`."""
    jobs = periodic_jobs() if jobs is None else dict(jobs)
    due = dict.fromkeys(jobs, clock())
    while not stop.is_set():
        now = clock()
        for name, interval in jobs.items():
            if stop.is_set():
                return
            if due[name] <= now:
                # Between runs the connection idles for up to an hour: never reuse a stale one.
                close_old_connections()
                run_job(name)
                due[name] = now + interval
        if not due:
            stop.wait()
            return
        stop.wait(max(0.0, min(due.values()) - clock()))
