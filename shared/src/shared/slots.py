"""A bounded number of expensive jobs at once across every worker of one service instance.

Some requests cost seconds of CPU for a few bytes sent: decoding an image, checking a password.
A few clients sending only those could keep every gunicorn worker busy and every other request
waiting. `work_slot(kind, slots=N)` lets at most N such jobs run at once among all the workers
of one gunicorn master (one pod): the others get `Busy`, a JSON 503 with `Retry-After`, after at
most `wait_seconds`, so the remaining workers keep answering everything else.

The slots are `flock` locks on N files in one folder per master (`WORK_SLOTS_DIR`, made by
`shared.gunicorn_conf` when the master starts; a fresh one per process elsewhere). The kernel
drops a lock when its holder dies, so a killed worker never keeps a slot.
"""

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.errors import Unavailable

ENVIRON = "WORK_SLOTS_DIR"
_POLL_SECONDS = 0.02


class Busy(Unavailable):
    default_detail = "The server is busy with work like this; try again shortly."
    default_code = "busy"


def slots_dir() -> Path:
    """The folder of this instance's slot files (made on first use)."""
    named = os.environ.get(ENVIRON)
    if not named:
        named = os.environ[ENVIRON] = tempfile.mkdtemp(prefix="work-slots-")
    path = Path(named)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _try_lock(path: Path) -> int | None:
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


@contextmanager
def work_slot(kind: str, *, slots: int, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold one of `slots` slots of `kind` for the block; `Busy` if none frees up in time.

    Call it around the expensive part only, and once per request (not per item), so that one
    request holds at most one slot. `slots` <= 0 means unlimited.
    """
    if slots <= 0:
        yield
        return
    folder = slots_dir()
    deadline = time.monotonic() + wait_seconds
    while True:
        for number in range(slots):
            descriptor = _try_lock(folder / f"{kind}-{number}")
            if descriptor is not None:
                try:
                    yield
                finally:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)
                    os.close(descriptor)
                return
        if time.monotonic() >= deadline:
            raise Busy()
        time.sleep(_POLL_SECONDS)
