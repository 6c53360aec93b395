"""CPU time per request of each kind of process while wrk loads a running stack (Linux).

    .venv/bin/python bench/cpu_per_request.py var/bench/wrk/timeline.txt \
        [--url http://127.0.0.1:18000] [--duration 10] [--connections 16]

Reads every process's user and system CPU time from /proc before and after one wrk run and
divides what each group (gunicorn workers, Postgres backends, nginx, the rest) spent by the
requests wrk completed. On a machine that every process shares, a scenario's requests per
second is about the CPU-seconds available divided by what one request costs all of them, so
this says where a scenario's time goes. Start the benchmark stack first (see
docs/performance.md); the request files are the ones `make bench` writes.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LUA = REPO / "bench" / "requests.lua"
TICKS = 100  # USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux


def cpu_by_process() -> dict[tuple[str, str], tuple[int, int]]:
    """(pid, command) -> (user ticks, system ticks) for every process running now."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # gone meanwhile
        found[(stat.parent.name, command)] = (int(fields[11]), int(fields[12]))
    return found


def group_of(command: str) -> str:
    for name in ("gunicorn", "postgres", "nginx", "wrk", "honcho"):
        if name in command:
            return name
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("requests_file", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:18000")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    before = cpu_by_process()
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
    after = cpu_by_process()
    requests = int(re.search(r"(\d+) requests in", run.stdout).group(1))

    spent: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for key, (user, system) in after.items():
        user0, system0 = before.get(key, (0, 0))
        spent[group_of(key[1])][0] += user - user0
        spent[group_of(key[1])][1] += system - system0
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
