"""Keep one process of the native stack running: restart it when it exits, with back-off.

    python deploy/local/supervise.py NAME -- COMMAND [ARGS...]

honcho stops the whole stack when any one of its processes exits, so one crashed service (or a
relay that lost its broker for good) took every other one down with it. Each Procfile line runs
its process under this instead: when the process exits on its own, this says so on the console
and starts it again after 1 s, then 2, 4 ... up to 30 s while it keeps failing (back to 1 s
once it has run for 30 s). SIGTERM or SIGINT (honcho stopping the stack, Ctrl-C) is passed on to
the process, which is then not restarted; this exits with the process's code (128 + the
signal's number when a signal ended it).
Standard library only: it runs before anything else is installed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# A process that ran at least this long before it exited counts as having started fine.
STABLE_SECONDS = 30.0


def say(name: str, message: str) -> None:
    print(f"supervise: {name} {message}", file=sys.stderr, flush=True)


def supervise(
    name: str,
    command: list[str],
    *,
    stopping: threading.Event,
    first_delay: float = FIRST_DELAY_SECONDS,
    max_delay: float = MAX_DELAY_SECONDS,
    stable_seconds: float = STABLE_SECONDS,
    max_restarts: int | None = None,
    on_start=None,
) -> int:
    """Run `command` until `stopping` is set, restarting it when it exits; its last exit code."""
    delay, restarts = first_delay, 0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        if on_start is not None:
            on_start(child)
        code = child.wait()
        if stopping.is_set():
            return code
        ran = time.monotonic() - started
        if ran >= stable_seconds:
            delay = first_delay
        if max_restarts is not None and restarts >= max_restarts:
            say(name, f"exited with code {code}; not restarted again")
            return code
        say(name, f"exited with code {code} after {ran:.1f} s; restarting in {delay:g} s")
        if stopping.wait(delay):
            return code
        restarts += 1
        delay = min(delay * 2, max_delay)


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: supervise.py NAME -- COMMAND [ARGS...]")
    name, command = sys.argv[1], sys.argv[3:]
    stopping = threading.Event()
    current: list[subprocess.Popen] = []

    def stop(signum: int, frame: object) -> None:
        stopping.set()
        for child in current:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def started(child: subprocess.Popen) -> None:
        current[:] = [child]

    code = supervise(name, command, stopping=stopping, on_start=started)
    # A process ended by a signal exits as a shell reports it: 128 + the signal's number.
    sys.exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main()
