"""CPU time per request of each kind of process while wrk loads a running stack (Linux).

    .venv/bin/python bench/cpu_per_request.py var/bench/wrk/timeline.txt \
        [--url http://127.0.0.1:18000] [--duration 10] [--connections 16]

Reads every process's user and system CPU time from /proc before and after one wrk run and
divides what each group of the benchmark stack's processes (gunicorn workers, its Postgres
cluster's backends, nginx, the rest) spent by the requests wrk completed; whatever else runs on
the machine meanwhile (other stacks, test suites) is shown apart, as "not this stack". On a
machine that every process shares, a scenario's requests per second is about the CPU-seconds
available divided by what one request costs all of them, so this says where a scenario's time
goes. Start the benchmark stack first (see
docs/performance.md); the request files are the ones `make bench` writes.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STACK = REPO / "var" / "bench" / "stack"
LUA = REPO / "bench" / "requests.lua"
TICKS = 100  # USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux


def cpu_by_process(stack: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(pid, group) -> (user ticks, system ticks) for every process running now."""
    marker = f"SOCIAL_STACK_ID={stack}".encode()
    seen: dict[str, tuple[int, str, bool, int, int]] = {}  # pid -> (ppid, command, marked, ...)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (stat.parent / "environ").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue  # gone meanwhile
        seen[stat.parent.name] = (
            int(fields[1]),
            command,
            marker in environ,
            int(fields[11]),
            int(fields[12]),
        )
    # Postgres drops the environment (its backends are the children of the stack's postmaster),
    # and nginx's workers overwrite theirs with their titles: a child of the stack's is its too.
    postmasters = {pid for pid, (_, command, *_) in seen.items() if f" -D {stack}/" in command}
    ours = {pid for pid, (_, _, marked, *_) in seen.items() if marked}
    while grown := {pid for pid, (ppid, *_) in seen.items() if str(ppid) in ours} - ours:
        ours |= grown
    found = {}
    for pid, (ppid, command, _, user, system) in seen.items():
        if pid in postmasters or str(ppid) in postmasters:
            group = "postgres"
        elif pid in ours:
            group = next(
                (name for name in ("gunicorn", "nginx", "honcho") if name in command), "other"
            )
        else:
            group = "not this stack"
        found[(pid, group)] = (user, system)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("requests_file", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:18000")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--stack", type=Path, default=STACK, help="the stack's VAR_DIR")
    args = parser.parse_args()
    stack = args.stack.resolve()

    before = cpu_by_process(stack)
    run = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(args.connections),
            "-d",
            f"{args.duration}s",
            "-s",
            str(LUA),
            args.url,
            "--",
            str(args.requests_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    after = cpu_by_process(stack)
    requests = int(re.search(r"(\d+) requests in", run.stdout).group(1))

    spent: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for key, (user, system) in after.items():
        user0, system0 = before.get(key, (0, 0))
        spent[key[1]][0] += user - user0
        spent[key[1]][1] += system - system0
    print(f"{requests} requests in {args.duration}s ({requests / args.duration:.0f} req/s)")
    print("wrk's own CPU is not counted: it exits before the second reading.")
    for group, (user, system) in sorted(spent.items(), key=lambda item: -sum(item[1])):
        per_request = (user + system) / TICKS / requests * 1000
        print(
            f"  {group:9s} {per_request:6.2f} ms a request (user {user / TICKS:.2f}s, "
            f"system {system / TICKS:.2f}s)"
        )


if __name__ == "__main__":
    main()
