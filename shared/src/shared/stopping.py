"""How the long-running commands (relays, consumers, the mailer, periodic jobs) stop."""

import signal
import threading
from types import FrameType


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM or SIGINT sets, for a loop that checks it between units of work.

    The unit in progress (a batch, a message, a job, each in its own transaction) finishes, and
    the loop leaves before the next one: a rollout or Ctrl-C never cuts a transaction in half.
    Call it from the main thread (Python installs signal handlers only there).
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop
