"""Two floods against a private native stack, and how reads fare meanwhile (docs/security.md).

    .venv/bin/python bench/floods.py [--seconds 20] [--attackers 4] [--scenario image|login|all]
                                     [--images-per-post 10]

- image: attackers post highly compressible images (36 megapixels of one colour, 120 KB as a
  PNG, `--images-per-post` to a post) as fast as they are answered;
- login: attackers send wrong passwords to `POST /api/v1/auth/token` and to the admin's login
  form, each through the gateway, as fast as they are answered.

Meanwhile one reader asks for a public read of the attacked service every 100 ms (a post, or a
profile). Printed per scenario: the reader's latencies (median, 95th percentile, max) and
statuses, and what the attackers got. Everything goes to 127.0.0.1, on ports of its own (a
separate state folder under var/floods, its own Postgres), and every loop ends after
`--seconds`; the stack is stopped at the end.
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
STACK = REPO / "deploy" / "local" / "stack.py"
PORTS = {
    "PG_PORT": "54391",
    "USERS_PORT": "28001",
    "FEED_PORT": "28002",
    "NOTIFICATIONS_PORT": "28003",
    "GATEWAY_PORT": "28000",
}
GATEWAY = f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}"
PASSWORD = "a sturdy passphrase 42"  # noqa: S105 - accounts of a throwaway stack
# The most requests any one loop sends, whatever the clock says.
MAX_REQUESTS_PER_LOOP = 2000


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def stack_env() -> dict[str, str]:
    var = REPO / "var" / "floods"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith(("_DATABASE_URL", "_MEDIA_ROOT"))
    }
    env.update(PORTS)
    env.update(
        {
            "VAR_DIR": str(var / "stack"),
            "ENV_FILE": str(var / ".env"),
            "LOG_LEVEL": "WARNING",
            "GATEWAY_ACCESS_LOG": str(var / "stack" / "log" / "gateway-access.log"),
        }
    )
    return env


def stack(command: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(STACK), command], env=env, check=True)


def sign_up(session: requests.Session) -> tuple[int, str]:
    name = f"f{uuid.uuid4().hex[:12]}"
    body = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
    created = session.post(f"{GATEWAY}/api/v1/auth/signup", json=body, timeout=30)
    created.raise_for_status()
    tokens = session.post(
        f"{GATEWAY}/api/v1/auth/token",
        json={"email": body["email"], "password": PASSWORD},
        timeout=30,
    )
    tokens.raise_for_status()
    return created.json()["id"], tokens.json()["access"]


def cheap_dear_image() -> bytes:
    """36 megapixels of one colour: a few KiB to send, seconds of CPU to decode and re-encode."""
    buffer = io.BytesIO()
    Image.new("RGB", (6000, 6000), (120, 30, 200)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


class Reader(threading.Thread):
    """GET `url` every 100 ms until `stop`; keep each latency and status."""

    def __init__(self, url: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.stop = url, stop
        self.latencies: list[float] = []
        self.statuses: collections.Counter[str] = collections.Counter()

    def run(self) -> None:
        session = requests.Session()
        for _ in range(MAX_REQUESTS_PER_LOOP):
            if self.stop.is_set():
                return
            started = time.monotonic()
            try:
                status = str(session.get(self.url, timeout=60).status_code)
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.latencies.append((time.monotonic() - started) * 1000)
            self.statuses[status] += 1
            time.sleep(0.1)


def attack(send, stop: threading.Event, outcomes: collections.Counter[str]) -> None:
    session = requests.Session()
    for _ in range(MAX_REQUESTS_PER_LOOP):
        if stop.is_set():
            return
        try:
            outcomes[str(send(session).status_code)] += 1
        except requests.RequestException as exc:
            outcomes[type(exc).__name__] += 1


def run_flood(name: str, read_url: str, senders: list, seconds: float) -> dict[str, object]:
    stop = threading.Event()
    quiet = Reader(read_url, stop)
    quiet.start()
    time.sleep(3)
    stop.set()
    quiet.join()
    stop = threading.Event()
    reader = Reader(read_url, stop)
    outcomes: collections.Counter[str] = collections.Counter()
    attackers = [
        threading.Thread(target=attack, args=(send, stop, outcomes), daemon=True)
        for send in senders
    ]
    reader.start()
    for thread in attackers:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in [reader, *attackers]:
        thread.join(timeout=120)
    latencies = sorted(reader.latencies)
    result = {
        "scenario": name,
        "quiet_p50_ms": round(statistics.median(quiet.latencies), 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 1),
        "max_ms": round(latencies[-1], 1),
        "reads": dict(reader.statuses),
        "attacks": dict(outcomes),
    }
    print(result, flush=True)
    return result


def image_flood(args: argparse.Namespace) -> dict[str, object]:
    session = requests.Session()
    _, author_token = sign_up(session)
    post = session.post(
        f"{GATEWAY}/api/v1/posts",
        json={"title": "read me"},
        headers={"Authorization": f"Bearer {author_token}"},
        timeout=30,
    )
    post.raise_for_status()
    image = cheap_dear_image()
    per_post = args.images_per_post
    say(f"image: {len(image)} bytes for 36 MP; {args.attackers} attackers, {per_post} a post")
    tokens = [sign_up(session)[1] for _ in range(args.attackers)]

    def sender(token: str):
        def send(attacker: requests.Session) -> requests.Response:
            files = [("images", (f"{n}.png", image, "image/png")) for n in range(per_post)]
            return attacker.post(
                f"{GATEWAY}/api/v1/posts",
                data={"title": "flood"},
                files=files,
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )

        return send

    read_url = f"{GATEWAY}/api/v1/posts/{post.json()['id']}"
    return run_flood("image", read_url, [sender(token) for token in tokens], args.seconds)


def login_flood(args: argparse.Namespace) -> dict[str, object]:
    session = requests.Session()
    user_id, _ = sign_up(session)

    def token_sender(attacker: requests.Session) -> requests.Response:
        body = {"email": f"{uuid.uuid4().hex}@example.com", "password": "wrong"}
        return attacker.post(f"{GATEWAY}/api/v1/auth/token", json=body, timeout=120)

    def admin_sender(attacker: requests.Session) -> requests.Response:
        form = attacker.get(f"{GATEWAY}/admin/login/", timeout=120)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if match is None:
            return form
        return attacker.post(
            f"{GATEWAY}/admin/login/",
            data={
                "csrfmiddlewaretoken": match[1],
                "username": f"{uuid.uuid4().hex}@example.com",
                "password": "wrong",
            },
            headers={"Referer": f"{GATEWAY}/admin/login/"},
            timeout=120,
        )

    half = max(args.attackers // 2, 1)
    senders = [token_sender] * half + [admin_sender] * half
    say(f"login: {half} attackers at the token endpoint, {half} at the admin's login form")
    return run_flood("login", f"{GATEWAY}/api/v1/users/{user_id}", senders, args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--scenario", choices=["image", "login", "all"], default="all")
    parser.add_argument("--images-per-post", type=int, default=10)
    args = parser.parse_args()
    env = stack_env()
    stack("init-env", env)
    stack("up", env)
    try:
        if args.scenario in ("image", "all"):
            image_flood(args)
        if args.scenario in ("login", "all"):
            login_flood(args)
    finally:
        stack("down", env)


if __name__ == "__main__":
    main()
