"""`make bench`: seed a benchmark data set, start a separate stack, load it with wrk, report.

    .venv/bin/python bench/bench.py [--users 10000] [--follows-per-user 150] [--posts 1000000]
                                    [--small-posts 100000] [--duration 10] [--runs 3]
                                    [--connections 16] [--threads 2] [--workers 3]
                                    [--warmup 3]
    .venv/bin/python bench/bench.py --quick    # `make bench-quick`: small data, short runs
    .venv/bin/python bench/bench.py --serve    # the seeded data again, fresh tokens, until Ctrl-C

The benchmark stack is the native one (deploy/local/stack.py) with its own state folder
(var/bench), its own Postgres cluster (so its own databases), its own ports and secrets: it never
touches a developer's stack. Every figure is the median of `--runs` wrk runs; the command of each
is printed beside it. Results go to stdout and between the markers in docs/performance.md
(`--quick` and `--no-doc` write var/bench/report.md instead: a quick run is a check in review,
not the figures the docs quote).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
import requests

REPO = Path(__file__).resolve().parent.parent
STACK = REPO / "deploy" / "local" / "stack.py"
sys.path.insert(0, str(STACK.parent))
from stack import read_env_file  # noqa: E402 - the stack's own .env reader (stdlib only)

LUA = REPO / "bench" / "requests.lua"
BARE_PATH = "/_bench/bare"
DOC = REPO / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# All below the kernel's ephemeral range (32768-60999 on Linux): a port in it may be the local end
# of some process's outgoing connection just when the stack starts.
PORTS = {
    "PG_PORT": "18432",
    "USERS_PORT": "18001",
    "FEED_PORT": "18002",
    "NOTIFICATIONS_PORT": "18003",
    "GATEWAY_PORT": "18000",
    # Its own RabbitMQ node (and the next two ports for its distribution and epmd).
    "BROKER_PORT": "18672",
    "SMTP_PORT": "18025",
    # The bare-framework reference (bench/bare), served by a gunicorn of its own.
    "BARE_PORT": "18004",
}

# `make bench` and `make bench-quick` (`--quick`); a flag given on the command line wins.
FULL = {
    "users": 10_000,
    "follows_per_user": 150,
    "posts": 1_000_000,
    "small_posts": 100_000,
    "duration": 10,
    "runs": 3,
    "warmup": 3,
    "deep_page": 50,
    "lag_seconds": 30,
}
QUICK = {
    "users": 2_000,
    "follows_per_user": 50,
    "posts": 50_000,
    "small_posts": 10_000,
    "duration": 3,
    "runs": 3,
    "warmup": 1,
    "deep_page": 10,
    "lag_seconds": 10,
}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


@dataclass
class Result:
    name: str
    command: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx: int


@dataclass
class Visibility:
    """Who may see whom in the seeded data, read from the feed database once.

    The rules of the feed's `relationships.visibility`: a block either way hides everything, a
    private account's content is for itself and its accepted followers.
    """

    password: str
    private: set[int]
    blocks: set[tuple[int, int]]  # (blocker, blocked)
    follows: set[tuple[int, int]]  # (follower, followee), of the viewers only

    @classmethod
    def load(cls, password: str, viewers: list[int]) -> Visibility:
        with feed_database(password) as cursor:
            # The feed's tables, by the names its models give them.
            cursor.execute("SELECT id FROM authors_author WHERE is_private")
            private = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT blocker_id, blocked_id FROM relationships_block")
            blocks = set(cursor.fetchall())
            cursor.execute(
                "SELECT follower_id, followee_id FROM social_follow WHERE follower_id = ANY(%s)",
                [viewers],
            )
            follows = set(cursor.fetchall())
        return cls(password, private, blocks, follows)

    def post_authors(self, post_ids: list[int]) -> dict[int, int]:
        with feed_database(self.password) as cursor:
            cursor.execute("SELECT id, author_id FROM posts_post WHERE id = ANY(%s)", [post_ids])
            return dict(cursor.fetchall())

    def blocked(self, one: int, other: int) -> bool:
        return (one, other) in self.blocks or (other, one) in self.blocks

    def may_see(self, viewer: int, author: int) -> bool:
        if viewer == author:
            return True
        if self.blocked(viewer, author):
            return False
        return author not in self.private or (viewer, author) in self.follows


@dataclass
class Lag:
    """How long after a like was answered its notification could be read (one probe each)."""

    probes: int
    seen: list[float]  # seconds, of the probes whose notification appeared
    load: Result  # the like/unlike load that ran meanwhile

    def percentile(self, q: float) -> float:
        ordered = sorted(self.seen)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.var = REPO / "var" / "bench"
        self.var.mkdir(parents=True, exist_ok=True)
        self.var.chmod(0o755)
        self.work = self.var / "wrk"
        self.work.mkdir(exist_ok=True)
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.endswith(("_DATABASE_URL", "_MEDIA_ROOT"))
            },
            **PORTS,
            "VAR_DIR": str(self.var / "stack"),
            "ENV_FILE": str(self.var / ".env"),
            "FEED_WORKERS": str(args.workers),
            "USERS_WORKERS": "1",
            # Its list and unread count are measured against the same floor as the feed.
            "NOTIFICATIONS_WORKERS": str(args.workers),
            "GATEWAY_WORKERS": "1",
            "BENCHMARK_ENDPOINTS": "true",
            "LOG_LEVEL": "WARNING",
            # nginx writes its access log to a file, as a deployed gateway does, rather than
            # through honcho's console relay (a Python process reading every line).
            "GATEWAY_ACCESS_LOG": str(self.var / "stack" / "log" / "gateway-access.log"),
            # The limiter is not what is measured: lift the service throttles out of the way.
            "THROTTLE_RATE_WRITES": "1000000/min",
        }
        # The bare reference's location, inside the gateway's server block (stack.py).
        bare_conf = self.var / "gateway-bare.conf"
        bare_conf.write_text(
            "# bench/bench.py: the bare-framework reference, under the server's settings.\n"
            f"location = {BARE_PATH} {{\n"
            # A sync gunicorn worker closes every connection, so the services' upstreams'
            # keepalive saves nothing there either: a plain proxy_pass is the same path.
            f"    proxy_pass http://127.0.0.1:{PORTS['BARE_PORT']};\n"
            "}\n"
        )
        self.env["GATEWAY_SERVER_INCLUDE"] = str(bare_conf)
        self.gateway = f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}"
        self.feed = f"http://127.0.0.1:{PORTS['FEED_PORT']}"
        self.results: list[Result] = []
        self.lag: Lag | None = None
        self.sizes: list[tuple[str, int]] = []
        self.rss: dict[str, list[int]] = {}
        self.bare: subprocess.Popen[bytes] | None = None
        # The machine's load average (1 minute) each time a wrk run starts: how shared it was.
        self.loads: list[float] = []

    # -- the stack ------------------------------------------------------------------------------

    def stack(self, command: str) -> None:
        subprocess.run([sys.executable, str(STACK), command], env=self.env, check=True)

    def start_bare(self) -> None:
        """The bare reference: gunicorn with the services' settings and worker count."""
        env = {
            **self.env,
            "DJANGO_SETTINGS_MODULE": "bare.settings",
            # Marks it as a process of the benchmark stack, so `stack.py down` finds it too.
            "SOCIAL_STACK_ID": str((self.var / "stack").resolve()),
        }
        self.bare = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "bare.wsgi",
                "-c",
                "python:shared.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{PORTS['BARE_PORT']}",
                "--workers",
                str(self.args.workers),
            ],
            cwd=REPO / "bench",
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.var / "bare.log").open("ab"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.gateway + BARE_PATH, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.bare.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError(f"the bare reference did not start; see {self.var / 'bare.log'}")

    def stop_bare(self) -> None:
        if self.bare is not None and self.bare.poll() is None:
            self.bare.terminate()
            self.bare.wait(timeout=30)

    @functools.cache  # noqa: B019 - one Bench per run; the file is read once, not per token
    def secrets(self) -> dict[str, str]:
        return read_env_file(self.var / ".env")

    def seed(self, posts: int) -> None:
        say(
            f"seeding {self.args.users} users, ~{self.args.follows_per_user} follows each, "
            f"{posts} posts"
        )
        env = {**self.env, **self.secrets(), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
        # As the cluster's superuser: the seed then skips per-row foreign-key checks.
        env["FEED_DATABASE_URL"] = (
            f"postgres://postgres:{env['PG_SUPERUSER_PASSWORD']}@127.0.0.1:{PORTS['PG_PORT']}/feed"
        )
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "seed_benchmark",
                "--yes",
                "--users",
                str(self.args.users),
                "--follows-per-user",
                str(self.args.follows_per_user),
                "--posts",
                str(posts),
            ],
            cwd=REPO / "services" / "feed",
            env=env,
            check=True,
        )
        say(f"seeded in {time.monotonic() - started:.0f}s")

    def seed_notifications(self) -> None:
        """A notification history for the same users: tens each, a long tail for the popular."""
        env = {**self.env, **self.secrets(), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
        password = env["PG_SUPERUSER_PASSWORD"]
        env["NOTIFICATIONS_DATABASE_URL"] = (
            f"postgres://postgres:{password}@127.0.0.1:{PORTS['PG_PORT']}/notifications"
        )
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "seed_notifications",
                "--yes",
                "--users",
                str(self.args.users),
            ],
            cwd=REPO / "services" / "notifications",
            env=env,
            check=True,
        )

    # -- tokens and request lists ----------------------------------------------------------------

    def token(self, user_id: int) -> str:
        secrets = self.secrets()
        now = int(time.time())
        claims = {
            "token_type": "access",
            "exp": now + 3600,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "user_id": str(user_id),
            "username": f"user{user_id}",
            "is_staff": False,
            "email_verified": True,
            # The sign-in the token belongs to (one per user here): the feed and notifications
            # check it against the sessions the users service ended.
            "sid": user_id,
            "iss": secrets.get("JWT_ISSUER", "social-users"),
            "aud": secrets.get("JWT_AUDIENCE", "social-api"),
        }
        # Minted exactly as the users service would (same key, claims, issuer and audience).
        return jwt.encode(claims, secrets["JWT_SIGNING_KEY"], algorithm="HS256")

    def write_requests(self, name: str, lines: list[tuple[str, str, str]]) -> Path:
        path = self.work / f"{name}.txt"
        path.write_text("".join(f"{method} {url} {token}\n" for method, url, token in lines))
        return path

    def viewers(self, count: int) -> list[int]:
        rng = random.Random(7)
        return rng.sample(range(1, self.args.users + 1), count)

    def deep_cursors(self, viewers: list[int], page: int) -> list[tuple[str, str, str]]:
        """Follow `next` page-1 times for each viewer; returns the page-th page's request."""
        lines = []
        with requests.Session() as session:
            for viewer in viewers:
                token = self.token(viewer)
                url = f"{self.feed}/api/v1/feed"
                for _ in range(page - 1):
                    response = session.get(
                        url, headers={"Authorization": f"Bearer {token}"}, timeout=30
                    )
                    response.raise_for_status()
                    url = response.json()["next"]
                    if not url:
                        break
                if url:
                    path = url.split("://", 1)[1].split("/", 1)[1]
                    lines.append(("GET", "/" + path, token))
        return lines

    # -- discovery: tag pages, explore, search ---------------------------------------------------

    def explore_requests(self, viewers: list[int]) -> Path:
        """Explore's first page, for each viewer (their follows, blocks and mutes left out)."""
        return self.write_requests(
            "explore", [("GET", "/api/v1/explore/posts", self.token(v)) for v in viewers]
        )

    def discovery_requests(self, viewers: list[int]) -> tuple[Path, Path]:
        """Tag pages and searches of what the seed wrote (`seed_benchmark.discovery_steps`):
        the pages of popular hashtags (thousands of posts each, the policy checked on each
        one shown), and single-word searches of the bodies' `wordN` (tens of matches each)."""
        rng = random.Random(13)
        tag_pages, searches = [], []
        for i in range(300):
            token = self.token(viewers[i % len(viewers)])
            tag = 1 + int(200 * rng.random() ** 2)
            tag_pages.append(("GET", f"/api/v1/tags/tag{tag}/posts", token))
            word = rng.randint(1_000, 50_000)
            searches.append(("GET", f"/api/v1/posts?search=word{word}", token))
        return self.write_requests("tag_page", tag_pages), self.write_requests("search", searches)

    def thread_requests(self, viewers: list[int]) -> Path:
        """A comment thread with replies as a client opens it (`seed_benchmark.thread_steps`):
        the post's top-level comments (each with its `reply_count`, `like_count` and
        `liked_by_me`), then one thread's replies. Only for viewers who may see the post and
        the comment's author (the visibility policy), so each request is a 200."""
        with feed_database(self.visibility.password) as cursor:
            cursor.execute(
                "SELECT c.id, c.post_id, c.author_id, p.author_id FROM posts_comment c "
                "JOIN posts_post p ON p.id = c.post_id "
                "WHERE c.parent_id IS NULL AND c.reply_count > 0 ORDER BY c.id LIMIT 600"
            )
            threads = cursor.fetchall()
        lines = []
        for i, (comment, post, comment_author, post_author) in enumerate(threads):
            viewer = viewers[i % len(viewers)]
            if self.visibility.may_see(viewer, post_author) and not self.visibility.blocked(
                viewer, comment_author
            ):
                token = self.token(viewer)
                lines += [
                    ("GET", f"/api/v1/posts/{post}/comments", token),
                    ("GET", f"/api/v1/comments/{comment}/replies", token),
                ]
        return self.write_requests("thread", lines)

    def thread_target(self, floor_rps: float, thread: Result) -> tuple[str, float, bool, str]:
        return (
            "comment thread with replies ≥ 50% of floor req/s",
            thread.rps / floor_rps,
            thread.rps >= 0.5 * floor_rps,
            "20",
        )

    def discovery_targets(
        self, floor_rps: float, tag_page: Result, explore: Result, search: Result, small: Result
    ) -> list[tuple[str, float, bool | None, str]]:
        return [
            (
                "tag page ≥ 50% of floor req/s",
                tag_page.rps / floor_rps,
                tag_page.rps >= 0.5 * floor_rps,
                "20",
            ),
            (
                "explore first page ≥ 50% of floor req/s",
                explore.rps / floor_rps,
                explore.rps >= 0.5 * floor_rps,
                "20",
            ),
            (
                "search ≥ 50% of floor req/s",
                search.rps / floor_rps,
                search.rps >= 0.5 * floor_rps,
                "20",
            ),
            (
                f"explore p99 at {self.args.posts:,} posts ≤ 1.5x at {self.args.small_posts:,}",
                explore.p99_ms / small.p99_ms,
                explore.p99_ms <= 1.5 * small.p99_ms,
                "20",
            ),
        ]

    # -- wrk -------------------------------------------------------------------------------------

    def wrk_command(
        self, base: str, requests_file: Path, duration: int, connections: int | None = None
    ) -> list[str]:
        connections = connections or self.args.connections
        return [
            "wrk",
            "-t",
            str(min(self.args.threads, connections)),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            base,
            "--",
            str(requests_file),
        ]

    def wrk(
        self, *scenarios: tuple[str, str, Path], connections: int | None = None
    ) -> list[Result]:
        """Measure (name, base URL, request file) scenarios, `--runs` times each, interleaved.

        Round after round, each scenario runs once: on a shared machine whose speed drifts
        from minute to minute, the scenarios compared in a ratio are sampled over the same
        minutes rather than one after the other.
        """
        # Unmeasured first: workers fill their rendered-post caches and Postgres its buffers,
        # so the runs measure the steady state, as for a service that has been up a while.
        for _, base, requests_file in scenarios:
            warmup = self.wrk_command(base, requests_file, self.args.warmup, connections)
            subprocess.run(warmup, capture_output=True, check=True)
        runs: list[list[dict[str, float]]] = [[] for _ in scenarios]
        for _ in range(self.args.runs):
            for i, (_, base, requests_file) in enumerate(scenarios):
                self.loads.append(os.getloadavg()[0])
                command = self.wrk_command(base, requests_file, self.args.duration, connections)
                out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
                runs[i].append(parse_wrk(out))
        results = []
        for (name, base, requests_file), measured in zip(scenarios, runs, strict=True):
            command = self.wrk_command(base, requests_file, self.args.duration, connections)
            result = Result(
                name=name,
                command=" ".join(command).replace(str(REPO) + "/", ""),
                rps=statistics.median(r["rps"] for r in measured),
                p50_ms=statistics.median(r["p50"] for r in measured),
                p99_ms=statistics.median(r["p99"] for r in measured),
                errors=sum(r["errors"] for r in measured),
                non_2xx=sum(r["non_2xx"] for r in measured),
            )
            say(
                f"{name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms, errors {result.errors}, non-2xx {result.non_2xx}"
            )
            self.results.append(result)
            results.append(result)
        return results

    # -- the hybrid fan-out and hot rows (issue 21) ---------------------------------------------

    def seed_fanout(self) -> None:
        """The accounts of the fan-out scenarios (`seed_fanout_accounts`): one followed by
        100,000, four more over the fan-out threshold, one at it and one with 100 followers,
        and 200 viewers (not the timeline's) who follow the five over it."""
        rng = random.Random(21)
        others = sorted(set(range(1, self.args.users + 1)) - set(self.viewers(200)))
        self.big_viewers = rng.sample(others, 200)
        env = {**self.env, **self.secrets(), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
        env["FEED_DATABASE_URL"] = (
            f"postgres://postgres:{env['PG_SUPERUSER_PASSWORD']}@127.0.0.1:{PORTS['PG_PORT']}/feed"
        )
        started = time.monotonic()
        out = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "seed_fanout_accounts",
                "--fans",
                "100000",
                "--viewers",
                ",".join(map(str, self.big_viewers)),
            ],
            cwd=REPO / "services" / "feed",
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        self.fanout_ids = json.loads(out.strip().splitlines()[-1])
        shown = {k: v for k, v in self.fanout_ids.items() if k != "viewers"}
        say(f"seeded the fan-out accounts {shown} in {time.monotonic() - started:.0f}s")

    def measure_fanout(self) -> list[tuple[str, float, bool | None, str]]:
        """The viral post, posting as a huge account, and the timeline of a user who follows
        accounts over the threshold; the target rows they answer."""
        ids, gateway = self.fanout_ids, self.gateway
        big_timeline = self.write_requests(
            "timeline_big_followees",
            [("GET", "/api/v1/feed", self.token(v)) for v in self.big_viewers],
        )
        with feed_database(self.secrets()["PG_SUPERUSER_PASSWORD"]) as cursor:
            cursor.execute(
                "SELECT id FROM posts_post WHERE author_id = ANY(%s) ORDER BY id",
                [[ids["huge"], *ids["big"]]],
            )
            spread_posts = [post for (post,) in cursor.fetchall()]
        viral, spread = [], []
        for i, viewer in enumerate(self.big_viewers):
            token = self.token(viewer)
            for post, lines in (
                (spread_posts[0], viral),
                (spread_posts[i % len(spread_posts)], spread),
            ):
                lines += [
                    ("POST", f"/api/v1/posts/{post}/like", token),
                    ("DELETE", f"/api/v1/posts/{post}/like", token),
                ]
        viral_file = self.write_requests("like_viral", viral)
        spread_file = self.write_requests("like_spread", spread)
        body = '{"title":"benchmark"}'  # no spaces: the request file's fourth field
        huge_posts = self.write_requests(
            "post_as_huge", [("POST", "/api/v1/posts", f"{self.token(ids['huge'])} {body}")]
        )
        small_posts = self.write_requests(
            "post_as_small", [("POST", "/api/v1/posts", f"{self.token(ids['small'])} {body}")]
        )
        floor_again, big_result = self.wrk(
            ("reference: DRF floor view, beside the next", gateway, self.work / "floor.txt"),
            (
                "timeline, first page, following 5 accounts over the threshold",
                gateway,
                big_timeline,
            ),
        )
        spread_result, viral_result = self.wrk(
            ("like / unlike, spread over 150 posts", gateway, spread_file),
            (
                f"like / unlike, one viral post, {self.args.connections} connections",
                gateway,
                viral_file,
            ),
        )
        small_result, huge_result = self.wrk(
            ("create a post, an account with 100 followers", gateway, small_posts),
            ("create a post, an account with 100,000 followers", gateway, huge_posts),
        )
        self.fanout_times = [
            (label, *self.time_fan_out(ids[key], follower))
            for label, key, follower in (
                ("100 followers", "small", ids["small"] + 1),
                (f"{ids['threshold']:,} followers (the threshold)", "edge", ids["small"] + 1),
                ("100,000 followers (merged)", "huge", ids["small"] + 1),
            )
        ]
        return [
            (
                "timeline following 5 accounts over the threshold ≥ 50% of floor req/s",
                big_result.rps / floor_again.rps,
                big_result.rps >= 0.5 * floor_again.rps,
                "21",
            ),
            (
                "likes on one viral post ≥ 0.8x likes spread over many posts (req/s)",
                viral_result.rps / spread_result.rps,
                viral_result.rps >= 0.8 * spread_result.rps,
                "21",
            ),
            (
                "create a post, 100,000 followers: p50 ≤ 2x 100 followers",
                huge_result.p50_ms / small_result.p50_ms,
                huge_result.p50_ms <= 2 * small_result.p50_ms,
                "21",
            ),
        ]

    def time_fan_out(self, author: int, follower: int, tries: int = 3) -> tuple[bool, float]:
        """Post as `author` with the stack otherwise idle: is the post on `follower`'s first
        page right after the 201, and how long until its fan-out is done (its pending mark
        cleared: every follower's inbox holds it, or, for a merged account, none is to)? The
        median of `tries`, polling every 5 ms."""
        seen, done = [], []
        with (
            requests.Session() as session,
            feed_database(self.secrets()["PG_SUPERUSER_PASSWORD"]) as cursor,
        ):
            cursor.connection.autocommit = True
            for _ in range(tries):
                created = session.post(
                    f"{self.gateway}/api/v1/posts",
                    json={"title": "fan-out timing"},
                    headers=self.auth(author),
                    timeout=10,
                )
                created.raise_for_status()
                answered, post = time.monotonic(), created.json()["id"]
                page = session.get(
                    f"{self.gateway}/api/v1/feed", headers=self.auth(follower), timeout=10
                )
                seen.append(post in [item["id"] for item in page.json()["results"]])
                while time.monotonic() - answered < 60:
                    cursor.execute(
                        "SELECT fanout_pending FROM timeline_inboxentry "
                        "WHERE owner_id = %s AND post_id = %s",
                        [author, post],
                    )
                    if not cursor.fetchone()[0]:
                        break
                    time.sleep(0.005)
                done.append(time.monotonic() - answered)
        return all(seen), statistics.median(done)

    def report_fanout(self) -> list[str]:
        if not getattr(self, "fanout_times", None):
            return []
        lines = [
            "",
            "| a post, with the stack otherwise idle (median of 3) | on a follower's first page "
            "right after the 201 | its fan-out done after |",
            "|---|:---:|---:|",
        ]
        for label, seen, seconds in self.fanout_times:
            lines.append(
                f"| an account with {label} | {'yes' if seen else 'NO'} | {seconds * 1000:.0f} ms |"
            )
        return lines

    # -- notification lag ------------------------------------------------------------------------

    def like_notification_lag(self, likes: Path, rng: random.Random) -> Lag:
        """Like a post, then read its author's notifications until the like shows: how long?

        Measured through the whole stack under the like/unlike load (one more wrk run of
        `--lag-seconds`, beside the probe): the feed's outbox, its relay, the broker, the
        notifications consumer, and the notifications API through the gateway. One probe at a
        time, by users that the load's own requests never use, each polling every 10 ms (the
        figures are that much coarser).
        """
        args = self.args
        loaders = set(self.viewers(200))
        candidates: list[tuple[int, int, int]] = []  # (liker, post, its author)
        with requests.Session() as session:
            while len(candidates) < 1000:
                liker, post = rng.randint(1, args.users), rng.randint(1, args.posts)
                if liker in loaders:
                    continue
                response = session.get(
                    f"{self.gateway}/api/v1/posts/{post}", headers=self.auth(liker), timeout=10
                )
                if response.status_code == 200 and response.json()["author"]["id"] != liker:
                    candidates.append((liker, post, response.json()["author"]["id"]))
        command = self.wrk_command(self.gateway, likes, args.lag_seconds)
        load = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        seen: list[float] = []
        probes = 0
        time.sleep(1)  # the load is running before the first probe
        with requests.Session() as session:
            for liker, post, author in candidates:
                if load.poll() is not None:
                    break
                probes += 1
                lag = self.probe_like(session, liker, post, author)
                if lag is not None:
                    seen.append(lag)
        out, _ = load.communicate()
        measured = parse_wrk(out)
        result = Result(
            name=f"like / unlike, one {args.lag_seconds}s run while the lag was probed",
            command=" ".join(command).replace(str(REPO) + "/", ""),
            rps=measured["rps"],
            p50_ms=measured["p50"],
            p99_ms=measured["p99"],
            errors=int(measured["errors"]),
            non_2xx=int(measured["non_2xx"]),
        )
        self.results.append(result)
        lag = Lag(probes=probes, seen=seen, load=result)
        say(
            f"like -> notification: p50 {lag.percentile(0.5) * 1000:.0f} ms, "
            f"p99 {lag.percentile(0.99) * 1000:.0f} ms, {len(seen)} of {probes} probes seen"
        )
        return lag

    def probe_like(
        self, session: requests.Session, liker: int, post: int, author: int
    ) -> float | None:
        like_url = f"{self.gateway}/api/v1/posts/{post}/like"
        # The seed may have left this like; an unlike first makes the like below a new one.
        session.delete(like_url, headers=self.auth(liker), timeout=10)
        liked_at = time.time()
        response = session.post(like_url, headers=self.auth(liker), timeout=10)
        if response.status_code not in (200, 201):
            return None
        answered = time.monotonic()
        author_auth = self.auth(author)
        while time.monotonic() - answered < 10:
            page = session.get(
                f"{self.gateway}/api/v1/notifications?types=like", headers=author_auth, timeout=10
            ).json()["results"]
            for item in page:
                if (
                    item["post_id"] == post
                    and item["actor"]["id"] == liker
                    # Not a seeded notification that happens to share the post and actor.
                    and datetime.fromisoformat(item["created_at"]).timestamp() >= liked_at - 1
                ):
                    return time.monotonic() - answered
            time.sleep(0.01)
        return None

    @functools.cache  # noqa: B019 - one token per user and run: the probe asks again and again
    def auth(self, user_id: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id)}"}

    # -- the run ---------------------------------------------------------------------------------

    def serve(self) -> None:
        """Start the stack on the data already seeded, with fresh tokens, until Ctrl-C.

        For looking closer at one scenario (bench/cpu_per_request.py, bench/profile_requests.py)
        without seeding again: the request files of the last run are kept, and their access
        tokens (valid for an hour) are minted anew for the same users.
        """
        for requests_file in sorted(self.work.glob("*.txt")):
            lines = []
            for line in requests_file.read_text().splitlines():
                method, url, token, *body = line.split(" ")
                if token != "-":  # noqa: S105 - "-" marks a request without a token
                    claims = jwt.decode(token, options={"verify_signature": False})
                    token = self.token(int(claims["user_id"]))
                lines.append((method, url, " ".join([token, *body])))
            self.write_requests(requests_file.stem, lines)
        self.stack("init-env")
        self.stack("up")
        say(f"serving the benchmark data at {self.gateway}, requests in {self.work}; Ctrl-C stops")
        # Ctrl-C, or SIGTERM (a background `--serve`, whose shell made it ignore SIGINT).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            self.start_bare()
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop_bare()
            self.stack("down")

    def run(self) -> None:
        if not shutil.which("wrk"):
            say("installing wrk from the system's packages")
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        self.stack("init-env")
        self.stack("up")
        try:
            self.start_bare()
            self.measure()
            self.rss = peak_rss_by_service((self.var / "stack").resolve())
        finally:
            self.stop_bare()
            self.stack("down")
        self.report()

    def measure(self) -> None:
        args = self.args
        viewers = self.viewers(200)
        timeline = [("GET", "/api/v1/feed", self.token(v)) for v in viewers]
        timeline_file = self.write_requests("timeline", timeline)

        explore_file = self.explore_requests(viewers)

        # Cost must not grow with the data: the same timeline (and explore) at a tenth of the
        # posts first.
        self.seed(args.small_posts)
        small, small_explore = self.wrk(
            (f"timeline, first page ({args.small_posts:,} posts)", self.gateway, timeline_file),
            (f"explore, first page ({args.small_posts:,} posts)", self.gateway, explore_file),
        )

        self.seed(args.posts)
        self.seed_notifications()
        # On disk per million posts: the main data set, before the fan-out's extra accounts.
        self.sizes = database_sizes(self.secrets()["PG_SUPERUSER_PASSWORD"])
        self.seed_fanout()
        rng = random.Random(11)
        static = self.write_requests("static", [("GET", "/healthz", "-")])
        floor = self.write_requests(
            "floor", [("GET", "/api/v1/feed/_floor", self.token(v)) for v in viewers]
        )
        deep = self.write_requests("deep", self.deep_cursors(viewers[:20], page=args.deep_page))
        bare = self.write_requests("bare", [("GET", BARE_PATH, self.token(v)) for v in viewers])
        # Every request below is one the visibility policy allows (the seed has private
        # accounts, blocks and mutes): each still pays for the policy's checks, and none is
        # a cheaper refusal counted as a read.
        self.visibility = Visibility.load(self.secrets()["PG_SUPERUSER_PASSWORD"], viewers)
        candidates = [rng.randint(1, args.posts) for _ in range(2000)]
        authors_of = self.visibility.post_authors(candidates)
        pairs: list[tuple[int, int]] = []  # (viewer, post)
        for post_id in candidates:
            viewer = viewers[len(pairs) % 200]
            if len(pairs) < 500 and self.visibility.may_see(viewer, authors_of[post_id]):
                pairs.append((viewer, post_id))
        single = self.write_requests(
            "post", [("GET", f"/api/v1/posts/{p}", self.token(v)) for v, p in pairs]
        )
        user_posts_lines = []
        while len(user_posts_lines) < 300:
            viewer = viewers[len(user_posts_lines) % 200]
            author = 1 + int(args.users * rng.random() ** 1.5)
            if self.visibility.may_see(viewer, author):
                user_posts_lines.append(
                    ("GET", f"/api/v1/users/{author}/posts", self.token(viewer))
                )
        user_posts = self.write_requests("user_posts", user_posts_lines)
        like_lines = []
        for viewer, post_id in pairs:
            token = self.token(viewer)
            like_lines += [
                ("POST", f"/api/v1/posts/{post_id}/like", token),
                ("DELETE", f"/api/v1/posts/{post_id}/like", token),
            ]
        likes = self.write_requests("like", like_lines)
        notification_page = self.write_requests(
            "notifications", [("GET", "/api/v1/notifications", self.token(v)) for v in viewers]
        )
        unread = self.write_requests(
            "unread_count",
            [("GET", "/api/v1/notifications/unread_count", self.token(v)) for v in viewers],
        )
        follow_lines = []
        for v in viewers:
            token = self.token(v)
            for _ in range(3):
                other = other_user(rng, v, args.users)
                while self.visibility.blocked(v, other):
                    other = other_user(rng, v, args.users)
                follow_lines += [
                    ("POST", f"/api/v1/users/{other}/follow", token),
                    ("DELETE", f"/api/v1/users/{other}/follow", token),
                ]
        follows = self.write_requests("follow", follow_lines)
        tag_page, search = self.discovery_requests(viewers)
        thread = self.thread_requests(viewers)

        # The reads, interleaved (see `wrk`); then the writes, which change the data.
        (
            references_static,
            references_bare,
            references_floor,
            first,
            direct,
            deep_result,
            single_result,
            user_posts_result,
            notifications_result,
            unread_result,
            tag_page_result,
            explore_result,
            search_result,
            thread_result,
        ) = self.wrk(
            ("reference: nginx static JSON (/healthz)", self.gateway, static),
            ("reference: bare DRF view (no project middleware, no auth)", self.gateway, bare),
            ("reference: DRF floor view (JWT, middleware)", self.gateway, floor),
            (f"timeline, first page ({args.posts:,} posts)", self.gateway, timeline_file),
            ("timeline, first page, feed port directly (no gateway)", self.feed, timeline_file),
            (f"timeline, {ordinal(args.deep_page)} page", self.gateway, deep),
            ("single post", self.gateway, single),
            ("a user's posts", self.gateway, user_posts),
            ("notifications, first page", self.gateway, notification_page),
            ("notifications, unread count", self.gateway, unread),
            ("tag page, first page", self.gateway, tag_page),
            (f"explore, first page ({args.posts:,} posts)", self.gateway, explore_file),
            ("search, first page", self.gateway, search),
            ("comment thread: top-level comments, then a thread's replies", self.gateway, thread),
        )
        # What the gateway adds to a request's latency, without queueing: one connection, so
        # the p50 is the time a request takes, not the time it waits for a busy CPU. (Under
        # load, above, the gateway's p50 also carries nginx's share of the two cores.)
        alone, alone_direct = self.wrk(
            ("timeline, first page, one connection", self.gateway, timeline_file),
            ("timeline, first page, one connection, feed port directly", self.feed, timeline_file),
            connections=1,
        )
        (like_result,) = self.wrk(("like / unlike", self.gateway, likes))
        (follow_result,) = self.wrk(("follow / unfollow", self.gateway, follows))
        self.lag = self.like_notification_lag(likes, rng)

        floor_rps = references_floor.rps
        self.targets = [
            (
                "floor view ≥ 50% of bare DRF view req/s",
                floor_rps / references_bare.rps,
                floor_rps >= 0.5 * references_bare.rps,
                "21",
            ),
            (
                "like / unlike ≥ 50% of floor req/s",
                like_result.rps / floor_rps,
                like_result.rps >= 0.5 * floor_rps,
                "21",
            ),
            (
                "follow / unfollow ≥ 50% of floor req/s",
                follow_result.rps / floor_rps,
                follow_result.rps >= 0.5 * floor_rps,
                "21",
            ),
            (
                "timeline first page ≥ 50% of floor req/s",
                first.rps / floor_rps,
                first.rps >= 0.5 * floor_rps,
                "18, 21",
            ),
            (
                "single post ≥ 50% of floor req/s",
                single_result.rps / floor_rps,
                single_result.rps >= 0.5 * floor_rps,
                "18, 21",
            ),
            (
                "a user's posts ≥ 50% of floor req/s",
                user_posts_result.rps / floor_rps,
                user_posts_result.rps >= 0.5 * floor_rps,
                "18, 21",
            ),
            (
                "notifications first page ≥ 50% of floor req/s",
                notifications_result.rps / floor_rps,
                notifications_result.rps >= 0.5 * floor_rps,
                "19",
            ),
            (
                "notifications unread count ≥ 50% of floor req/s",
                unread_result.rps / floor_rps,
                unread_result.rps >= 0.5 * floor_rps,
                "19",
            ),
            (
                f"{ordinal(args.deep_page)} page p50 ≤ 1.2x first page p50",
                deep_result.p50_ms / first.p50_ms,
                deep_result.p50_ms <= 1.2 * first.p50_ms,
                "21 (kept)",
            ),
            (
                f"timeline p99 at {args.posts:,} posts ≤ 1.5x at {args.small_posts:,}",
                first.p99_ms / small.p99_ms,
                first.p99_ms <= 1.5 * small.p99_ms,
                "21 (kept)",
            ),
            (
                "gateway adds ≤ 15% to timeline p50 (one connection)",
                alone.p50_ms / alone_direct.p50_ms - 1,
                alone.p50_ms <= 1.15 * alone_direct.p50_ms,
                "21 (kept)",
            ),
            (
                "(for information) gateway adds to timeline p50 under load, "
                f"{args.connections} connections",
                first.p50_ms / direct.p50_ms - 1,
                None,
            ),
            *self.discovery_targets(
                floor_rps, tag_page_result, explore_result, search_result, small_explore
            ),
            self.thread_target(floor_rps, thread_result),
            (
                "no socket errors, no non-2xx",
                sum(r.errors + r.non_2xx for r in self.results),
                all(r.errors == 0 and r.non_2xx == 0 for r in self.results),
                "21",
            ),
        ]
        self.targets += self.measure_fanout()
        self.targets += self.measure_mastodon(viewers, timeline_file)
        del references_static

    def measure_mastodon(self, viewers: list[int], timeline_file: Path) -> list[tuple]:
        """The home timeline through the Mastodon-compatible API (docs/mastodon.md) against the
        native one, interleaved: the layer only re-spells the same page, so it keeps ≥ 0.8x."""
        mastodon_file = self.write_requests(
            "mastodon_home",
            [("GET", "/mastodon/api/v1/timelines/home", self.token(v)) for v in viewers],
        )
        native, mastodon = self.wrk(
            ("timeline, first page, native (beside the Mastodon one)", self.gateway, timeline_file),
            ("Mastodon timelines/home, first page", self.gateway, mastodon_file),
        )
        return [
            (
                "Mastodon timelines/home ≥ 0.8x the native timeline's req/s",
                mastodon.rps / native.rps,
                mastodon.rps >= 0.8 * native.rps,
            )
        ]

    def report_lag(self) -> list[str]:
        lag = self.lag
        if lag is None:
            return []
        return [
            "",
            "| like → its notification, readable through the gateway | p50 ms | p99 ms | probes "
            "seen | load meanwhile |",
            "|---|---:|---:|---:|---|",
            f"| under the like/unlike load ({self.args.connections} connections) "
            f"| {lag.percentile(0.5) * 1000:.0f} | {lag.percentile(0.99) * 1000:.0f} "
            f"| {len(lag.seen)} of {lag.probes} | {lag.load.rps:.0f} req/s |",
        ]

    def report_memory(self) -> list[str]:
        if not self.rss:
            return []
        lines = [
            "",
            "| gunicorn workers, peak RSS (VmHWM) at the end of the run | workers | median MiB "
            "| max MiB |",
            "|---|---:|---:|---:|",
        ]
        for service, peaks in sorted(self.rss.items()):
            median, peak = mib(statistics.median(peaks)), mib(max(peaks))
            lines.append(f"| {service} | {len(peaks)} | {median} | {peak} |")
        return lines

    def report_sizes(self) -> list[str]:
        if not self.sizes:
            return []
        millions = self.args.posts / 1_000_000
        lines = [
            "",
            f"| on disk after seeding {self.args.posts:,} posts (indexes included) | MiB "
            "| MiB per million posts |",
            "|---|---:|---:|",
        ]
        for name, size in self.sizes:
            lines.append(f"| {name} | {mib(size / 1024)} | {mib(size / 1024 / millions)} |")
        return lines

    def report(self) -> None:
        a = self.args
        lines = [
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this machine "
            f"({os.cpu_count()} cores, shared and noisy): {a.users:,} users, ~{a.follows_per_user} "
            f"follows each, {a.posts:,} posts; feed gunicorn workers: {a.workers}; wrk "
            f"{a.threads} threads, {a.connections} connections, {a.duration}s a run after "
            f"{a.warmup}s unmeasured, median of {a.runs} runs. "
            + (
                f"The load average (1 min) as each run started: median "
                f"{statistics.median(self.loads):.1f}, from {min(self.loads):.1f} to "
                f"{max(self.loads):.1f} (2 cores: above 2, other work was waiting for them)."
                if self.loads
                else ""
            ),
            "",
            f"Command: `make {'bench-quick' if a.quick else 'bench'}` (= `.venv/bin/python "
            f"bench/bench.py --users {a.users} "
            f"--follows-per-user {a.follows_per_user} --posts {a.posts} "
            f"--small-posts {a.small_posts} --duration {a.duration} --runs {a.runs} "
            f"--connections {a.connections} --threads {a.threads} --workers {a.workers} "
            f"--warmup {a.warmup} --deep-page {a.deep_page} --lag-seconds {a.lag_seconds}`)",
            "",
            "| scenario | req/s | p50 ms | p99 ms | socket errors | non-2xx |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r.name} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
            f"| {r.errors} | {r.non_2xx} |"
            for r in self.results
        ]
        lines += ["", "| target | issue | measured | met |", "|---|---|---:|:---:|"]
        # (name, measured, met, and the issue that set it, when the row names one)
        for name, value, met, *issue in self.targets:
            shown = f"{value:.2f}" if isinstance(value, float) else str(value)
            verdict = "—" if met is None else "yes" if met else "NO"
            lines.append(f"| {name} | {issue[0] if issue else '—'} | {shown} | {verdict} |")
        lines += self.report_lag() + self.report_fanout() + self.report_memory()
        lines += self.report_sizes()
        lines += [
            "",
            "Load commands (each run three times; the request file cycles through users):",
            "",
        ]
        lines += [f"- {r.name}: `{r.command}`" for r in self.results]
        block = "\n".join(lines)
        print("\n" + block)
        if a.quick or a.no_doc:
            report = self.var / "report.md"
            report.write_text(block + "\n")
            say(f"wrote {report.relative_to(REPO)} (docs/performance.md is a full run's)")
            return
        text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
        if BEGIN not in text:
            text += f"\n{BEGIN}\n{END}\n"
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        DOC.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}")
        say(f"wrote {DOC.relative_to(REPO)}")


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


@contextlib.contextmanager
def feed_database(superuser_password: str) -> Iterator[Any]:
    """A cursor on the benchmark's feed database, as the cluster's superuser."""
    import psycopg2  # the stack's own dependency; imported here, where the database is up

    connection = psycopg2.connect(
        host="127.0.0.1",
        port=PORTS["PG_PORT"],
        dbname="feed",
        user="postgres",
        password=superuser_password,
    )
    try:
        with connection, connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def database_sizes(superuser_password: str) -> list[tuple[str, int]]:
    """Bytes on disk: each service's database, and the feed's largest tables (indexes included)."""
    import psycopg2  # the stack's own dependency; imported here, where the database is up

    sizes = []
    for name in ("feed", "notifications"):
        with (
            psycopg2.connect(
                host="127.0.0.1",
                port=PORTS["PG_PORT"],
                dbname=name,
                user="postgres",
                password=superuser_password,
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_database_size(current_database())")
            sizes.append((f"database {name}", cursor.fetchone()[0]))
            if name == "feed":
                cursor.execute(
                    "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
                    "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
                    "ORDER BY 2 DESC LIMIT 6"
                )
                sizes += [(f"table {table}", size) for table, size in cursor.fetchall()]
        connection.close()
    return sizes


def peak_rss_by_service(stack_id: Path) -> dict[str, list[int]]:
    """Peak resident set (VmHWM, KiB) of each gunicorn worker of the stack, by listening port.

    A worker is a gunicorn process whose parent is one too (its master); the master's own
    memory is not what grows with requests.
    """
    marker = f"SOCIAL_STACK_ID={stack_id}".encode()
    gunicorns: dict[int, tuple[int, str]] = {}  # pid -> (parent pid, port)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
            status = (entry / "status").read_text()
        except OSError:
            continue
        # gunicorn itself (its script, run by Python), not supervise.py that runs it.
        if "gunicorn" not in [Path(arg).name for arg in argv[:2]] or "--bind" not in argv:
            continue
        parent = int(re.search(r"^PPid:\s+(\d+)", status, re.MULTILINE).group(1))
        gunicorns[int(entry.name)] = (parent, argv[argv.index("--bind") + 1].rsplit(":", 1)[1])
    by_port = {port: name for name, port in PORTS.items()}
    rss: dict[str, list[int]] = {}
    for pid, (parent, port) in gunicorns.items():
        if parent not in gunicorns:
            continue  # the master
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peak = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))
        service = by_port.get(port, port).removesuffix("_PORT").lower()
        rss.setdefault(service, []).append(peak)
    return rss


def other_user(rng: random.Random, user_id: int, users: int) -> int:
    """A user id in 1..users other than `user_id` (following oneself is a 400, not a load)."""
    other = rng.randint(1, users - 1)
    return other + 1 if other >= user_id else other


def parse_wrk(output: str) -> dict[str, float]:
    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not match:
            raise RuntimeError(f"wrk printed no {label}th percentile:\n{output}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small data, short runs, the same scenarios (a few minutes): "
        + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in QUICK.items()),
    )
    parser.add_argument(
        "--no-doc", action="store_true", help="write var/bench/report.md, not the docs"
    )
    for name, value in FULL.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, help=f"default {value}")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="no measuring: serve the data already seeded, with fresh tokens, until Ctrl-C",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.serve:
        Bench(args).serve()
    else:
        Bench(args).run()


if __name__ == "__main__":
    main()
