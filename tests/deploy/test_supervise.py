"""deploy/local/supervise.py: a process of the native stack that exits is restarted, with
back-off, and one that is told to stop is not."""

import signal
import subprocess
import sys
import threading
import time

from tests.deploy import support

SUPERVISE = support.REPO / "deploy" / "local" / "supervise.py"
sys.path.insert(0, str(SUPERVISE.parent))
from supervise import supervise  # noqa: E402 - the script's own function


def test_a_process_that_exits_is_restarted_with_growing_delays(tmp_path, capsys):
    runs = tmp_path / "runs"
    # Exits with 3 at once, every time.
    command = [sys.executable, "-c", f"open({str(runs)!r}, 'a').write('x'); raise SystemExit(3)"]
    started = time.monotonic()

    code = supervise(
        "flaky",
        command,
        stopping=threading.Event(),
        first_delay=0.05,
        max_delay=0.2,
        max_restarts=4,
    )

    assert code == 3
    assert runs.read_text() == "xxxxx"
    # 0.05 + 0.1 + 0.2 + 0.2 between the five runs.
    assert time.monotonic() - started >= 0.55
    err = capsys.readouterr().err
    assert "supervise: flaky exited with code 3" in err
    assert "restarting in 0.05 s" in err
    assert "restarting in 0.2 s" in err


def test_sigterm_stops_the_process_and_nothing_restarts_it(tmp_path):
    runs = tmp_path / "runs"
    child = f"import time; open({str(runs)!r}, 'a').write('x'); time.sleep(60)"
    supervisor = subprocess.Popen(
        [sys.executable, str(SUPERVISE), "sleeper", "--", sys.executable, "-c", child]
    )
    deadline = time.monotonic() + 10
    while not runs.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

    supervisor.send_signal(signal.SIGTERM)

    assert supervisor.wait(timeout=10) == 128 + signal.SIGTERM
    time.sleep(0.3)
    assert runs.read_text() == "x"


def test_every_procfile_process_runs_under_the_supervisor():
    procfile = (support.REPO / "deploy" / "local" / "Procfile").read_text().splitlines()
    lines = [line for line in procfile if line and not line.startswith("#")]
    assert lines
    for line in lines:
        name, command = line.split(": ", 1)
        assert f"supervise.py {name} -- " in command, line
