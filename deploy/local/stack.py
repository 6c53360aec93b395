"""The native stack: Postgres and RabbitMQ under var/, the three services (gunicorn), the event
relays and consumers, the trimmer, the mailer with a local SMTP sink (every message kept as a
file under var/mail/), nginx.

    stack.py init-env      create .env with fresh secrets when there is none (or add new ones)
    stack.py run           set up, then run everything in the foreground until Ctrl-C
    stack.py up            the same in the background; returns once the gateway answers
    stack.py down          stop everything `up` started
    stack.py test          ruff-free part of `make test`: throwaway Postgres and RabbitMQ, the
                           service suites, e2e
    stack.py manage SERVICE ARGS...   a management command against this stack's database
    stack.py backup [DIR]  every service's database and the media (default var/backups/<time>)
    stack.py restore DIR   replace the databases and the media with a backup (stack stopped)
    stack.py db-start|db-stop|broker-start|broker-stop|migrate|render-gateway   the single steps

Every port, size and path comes from the environment (or `.env`), so the end-to-end tests and the
benchmark can run a second stack beside a developer's: see `Config` for the names and defaults.
Python's standard library plus psycopg2 and pika only: this runs from the project's virtualenv.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("users", "feed", "notifications")
# The services that run shared.events (users and feed an outbox and relay; feed and
# notifications a consumer).
EVENT_SERVICES = ("users", "feed", "notifications")
PROCFILE = REPO / "deploy" / "local" / "Procfile"
GATEWAY_TEMPLATE = REPO / "gateway" / "templates" / "gateway.conf.template"
GATEWAY_MAIN_TEMPLATE = REPO / "gateway" / "nginx.native.conf.template"
TRUSTED_PROXIES_SCRIPT = REPO / "gateway" / "docker" / "trusted-proxies.sh"

# Secrets generated into a new .env; each is at least 32 bytes.
GENERATED_SECRETS = (
    "USERS_SECRET_KEY",
    "FEED_SECRET_KEY",
    "NOTIFICATIONS_SECRET_KEY",
    "JWT_SIGNING_KEY",
    "INTERNAL_API_TOKEN",
    "PG_SUPERUSER_PASSWORD",
    "USERS_DB_PASSWORD",
    "FEED_DB_PASSWORD",
    "NOTIFICATIONS_DB_PASSWORD",
    "BROKER_PASSWORD",
)

DEFAULTS = {
    "PG_PORT": "54322",
    "USERS_PORT": "8001",
    "FEED_PORT": "8002",
    "NOTIFICATIONS_PORT": "8003",
    "GATEWAY_PORT": "8000",
    # The local SMTP sink (deploy/local/mail_sink.py) that the mailer sends to.
    "SMTP_PORT": "8025",
    "USERS_WORKERS": "2",
    "FEED_WORKERS": "2",
    "NOTIFICATIONS_WORKERS": "2",
    "GATEWAY_WORKERS": "auto",
    # The console (honcho), or a file: relaying every access line through honcho costs the
    # gateway a Python process's time per request, which the benchmark does not want to measure.
    "GATEWAY_ACCESS_LOG": "/dev/stdout",
    "MAX_BODY_SIZE": "110m",
    "AUTH_RATE_LIMIT": "10r/s",
    "AUTH_RATE_BURST": "50",
    # Slow clients (docs/security.md): how long a request header may take, the longest pause in
    # a request body, and the requests in progress at once per client address.
    "CLIENT_HEADER_TIMEOUT": "10s",
    "CLIENT_BODY_TIMEOUT": "15s",
    "CONNECTIONS_PER_CLIENT": "100",
    # Load balancers in front of the gateway whose X-Forwarded-For/-Proto it believes.
    "TRUSTED_PROXIES": "",
    "PG_OS_USER": "postgres",
    # RabbitMQ: AMQP on BROKER_PORT; the node's Erlang distribution and its epmd take the next
    # two ports unless BROKER_DIST_PORT / BROKER_EPMD_PORT say otherwise.
    "BROKER_PORT": "56720",
    "BROKER_USER": "social",
    # Relays and consumers per service (each is safe to run several times over).
    "EVENT_WORKERS": "1",
    "READY_TIMEOUT_SECONDS": "90",
}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def die(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass
class Config:
    """Settings for one stack: `.env` values, overridden by the real environment."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Config:
        env_file = Path(os.environ.get("ENV_FILE", REPO / ".env"))
        values = {**DEFAULTS, **read_env_file(env_file), **os.environ}
        values["ENV_FILE"] = str(env_file)
        values.setdefault("VAR_DIR", str(REPO / "var"))
        return cls(values)

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    @property
    def var(self) -> Path:
        return Path(self.values["VAR_DIR"]).resolve()

    @property
    def pg_dir(self) -> Path:
        """The cluster's folder: under VAR_DIR, unless the Postgres user cannot reach that.

        Run as root, initdb and postgres drop to PG_OS_USER, which cannot enter a checkout below
        a private folder (/root): the cluster then lives in that user's home instead, in a
        folder named after VAR_DIR so that every stack keeps its own.
        """
        if dir_ := self.values.get("PG_DIR"):
            return Path(dir_).resolve()
        inside = self.var / "postgres"
        if os.geteuid() != 0 or reachable_by(self.var, self["PG_OS_USER"]):
            return inside
        home = Path(pwd.getpwnam(self["PG_OS_USER"]).pw_dir)
        digest = hashlib.sha256(str(self.var).encode()).hexdigest()[:16]
        return home / "social-stacks" / digest

    @property
    def broker_dir(self) -> Path:
        return self.var / "rabbitmq"

    @property
    def broker_pid_file(self) -> Path:
        return self.broker_dir / "rabbitmq.pid"

    def broker_port(self, name: str) -> str:
        """BROKER_PORT, or BROKER_DIST_PORT / BROKER_EPMD_PORT (default: the next two ports)."""
        offset = {"BROKER_PORT": 0, "BROKER_DIST_PORT": 1, "BROKER_EPMD_PORT": 2}[name]
        return self.values.get(name) or str(int(self["BROKER_PORT"]) + offset)

    @property
    def broker_url(self) -> str:
        user = urllib.parse.quote(self["BROKER_USER"], safe="")
        password = urllib.parse.quote(self["BROKER_PASSWORD"], safe="")
        return f"amqp://{user}:{password}@127.0.0.1:{self['BROKER_PORT']}/"

    @property
    def gateway_dir(self) -> Path:
        return self.var / "gateway"

    @property
    def mail_dir(self) -> Path:
        return Path(self.values.get("MAIL_DIR") or self.var / "mail").resolve()

    @property
    def pid_file(self) -> Path:
        return self.var / "run" / "stack.pid"

    @property
    def log_file(self) -> Path:
        return self.var / "log" / "stack.log"

    def database_url(self, service: str, *, superuser: bool = False) -> str:
        if superuser:
            user, password, name = "postgres", self["PG_SUPERUSER_PASSWORD"], service
        else:
            user, password, name = service, self[f"{service.upper()}_DB_PASSWORD"], service
        return f"postgres://{user}:{password}@127.0.0.1:{self['PG_PORT']}/{name}"

    def process_env(self) -> dict[str, str]:
        """The environment every process of the stack runs with."""
        env = dict(self.values)
        gateway = f"http://127.0.0.1:{self['GATEWAY_PORT']}"
        env.update(
            {
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                "DJANGO_SETTINGS_MODULE": env.get(
                    "DJANGO_SETTINGS_MODULE", "config.settings.local"
                ),
                "PYTHONUNBUFFERED": "1",
                "GATEWAY_DIR": str(self.gateway_dir),
                "USERS_MEDIA_ROOT": str(self.var / "media" / "users"),
                "FEED_MEDIA_ROOT": str(self.var / "media" / "feed"),
                "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", gateway),
                "FRONTEND_URL": env.get("FRONTEND_URL", gateway),
                "MAIL_DIR": str(self.mail_dir),
                # Mail goes to the local sink unless the environment names a real server.
                "EMAIL_URL": env.get("EMAIL_URL", f"smtp://127.0.0.1:{self['SMTP_PORT']}"),
                "USERS_SERVICE_URL": f"http://127.0.0.1:{self['USERS_PORT']}",
                "BROKER_URL": env.get("BROKER_URL", self.broker_url),
                # Marks every process of this stack, so `down` can find stragglers.
                "SOCIAL_STACK_ID": str(self.var),
                # Every log line's time is UTC, nginx's included ($time_iso8601 is local time).
                "TZ": "UTC",
            }
        )
        for service in SERVICES:
            key = f"{service.upper()}_DATABASE_URL"
            env.setdefault(key, self.database_url(service))
        return env


# --- .env ----------------------------------------------------------------------------------


def init_env(config: Config) -> None:
    path = Path(config["ENV_FILE"])
    if path.exists():
        # An older .env lacks the secrets added since (e.g. the notifications service's, or
        # BROKER_PASSWORD): add those only.
        missing = [name for name in GENERATED_SECRETS if name not in read_env_file(path)]
        if not missing:
            return
        with path.open("a") as env_file:
            env_file.writelines(f"{name}={secrets.token_urlsafe(48)}\n" for name in missing)
        say(f"added {', '.join(missing)} to {path}")
    else:
        lines = [
            "# Local secrets and settings, generated by `make` on first run. Never commit it.",
            "# Every variable is documented in .env.example.",
        ]
        lines += [f"{name}={secrets.token_urlsafe(48)}" for name in GENERATED_SECRETS]
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)
        say(f"created {path} with freshly generated secrets")
    config.values = {**config.values, **read_env_file(path), **os.environ}


# --- Postgres ------------------------------------------------------------------------------


def pg_bin(name: str) -> str:
    if bin_dir := os.environ.get("PG_BIN"):
        return str(Path(bin_dir) / name)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    if found := shutil.which(name):
        return found
    die(f"{name} not found; run `make setup` to install the PostgreSQL server")
    raise AssertionError  # unreachable


def reachable_by(path: Path, user: str) -> bool:
    """Whether `user` can walk down to `path` (execute permission on each existing folder)."""
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        die(f"user {user!r} does not exist; install the postgresql package or set PG_OS_USER")
    groups = {entry.pw_gid, *os.getgrouplist(user, entry.pw_gid)}
    for folder in [*reversed(path.parents), path]:
        try:
            st = folder.stat()
        except FileNotFoundError:
            break
        if st.st_uid == entry.pw_uid:
            allowed = st.st_mode & 0o100
        elif st.st_gid in groups:
            allowed = st.st_mode & 0o010
        else:
            allowed = st.st_mode & 0o001
        if not allowed:
            return False
    return True


# Where the Postgres tools run: the caller's folder may be one PG_OS_USER cannot enter (/root).
PG_CWD = "/"


def as_pg_user(config: Config, argv: list[str]) -> list[str]:
    """`initdb` and `postgres` refuse to run as root: drop to an unprivileged user when we are."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", config["PG_OS_USER"], "--", *argv]


def prepare_pg_dir(config: Config) -> None:
    config.pg_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return
    user = config["PG_OS_USER"]
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        die(f"user {user!r} does not exist; install the postgresql package or set PG_OS_USER")
    if config.pg_dir.parent.name == "social-stacks":
        say(f"{user!r} cannot enter {config.var}; the Postgres cluster lives in {config.pg_dir}")
        os.chown(config.pg_dir.parent, entry.pw_uid, entry.pw_gid)
        # Whose cluster it is, for whoever cleans up (`stack.py test` removes its own).
        (config.pg_dir / "VAR_DIR").write_text(str(config.var))
    os.chown(config.pg_dir, entry.pw_uid, entry.pw_gid)
    probe = subprocess.run(["runuser", "-u", user, "--", "test", "-w", str(config.pg_dir)])
    if probe.returncode != 0:
        die(
            f"user {user!r} cannot reach {config.pg_dir}: every folder above it must be "
            "traversable (chmod o+x) by that user"
        )


def pg_running(config: Config) -> bool:
    data = config.pg_dir / "data"
    if not (data / "PG_VERSION").exists():
        return False
    status = subprocess.run(
        as_pg_user(config, [pg_bin("pg_ctl"), "status", "-D", str(data)]),
        capture_output=True,
        cwd=PG_CWD,
    )
    return status.returncode == 0


def db_start(config: Config, *, throwaway: bool = False) -> None:
    data = config.pg_dir / "data"
    prepare_pg_dir(config)
    if not (data / "PG_VERSION").exists():
        say(f"initialising a Postgres cluster in {data}")
        pwfile = config.pg_dir / ".pwfile"
        pwfile.write_text(config["PG_SUPERUSER_PASSWORD"] + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            entry = pwd.getpwnam(config["PG_OS_USER"])
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        try:
            subprocess.run(
                as_pg_user(
                    config,
                    [
                        pg_bin("initdb"),
                        "-D",
                        str(data),
                        "-U",
                        "postgres",
                        f"--pwfile={pwfile}",
                        "--auth-local=scram-sha-256",
                        "--auth-host=scram-sha-256",
                        "--encoding=UTF8",
                        "--no-locale",
                        # Sorting stays C (bytewise, as before); character classes are
                        # Unicode's, which pg_trgm needs to see the letters of scripts other
                        # than Latin (the feed's post search, docs/discovery.md).
                        "--lc-ctype=C.UTF-8",
                        "--no-instructions",
                    ],
                ),
                check=True,
                stdout=subprocess.DEVNULL,
                cwd=PG_CWD,
            )
        finally:
            pwfile.unlink(missing_ok=True)
    if not pg_running(config):
        options = [
            f"-c port={config['PG_PORT']}",
            "-c listen_addresses=127.0.0.1",
            # No Unix socket: its path length and permissions are not worth the trouble here.
            "-c unix_socket_directories=''",
            "-c max_connections=200",
            "-c shared_buffers=256MB",
        ]
        if throwaway:
            # A test cluster's data is thrown away, so durability buys nothing.
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        say(f"starting Postgres on 127.0.0.1:{config['PG_PORT']}")
        subprocess.run(
            as_pg_user(
                config,
                [
                    pg_bin("pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(data),
                    "-l",
                    str(config.pg_dir / "postgres.log"),
                    "-o",
                    " ".join(options),
                ],
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=PG_CWD,
        )
    ensure_databases(config)


def ensure_databases(config: Config) -> None:
    """One role and one database per service; neither role may connect to the other's."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(
        config.database_url("postgres", superuser=True).rsplit("/", 1)[0] + "/postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        for service in SERVICES:
            password = config[f"{service.upper()}_DB_PASSWORD"]
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [service])
            verb = "ALTER" if cur.fetchone() else "CREATE"
            cur.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(service)),
                [password],
            )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [service])
            if not cur.fetchone():
                cur.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(service), sql.Identifier(service)
                    )
                )
            cur.execute(
                sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(service))
            )
    conn.close()


def db_stop(config: Config) -> None:
    if pg_running(config):
        say("stopping Postgres")
        subprocess.run(
            as_pg_user(
                config,
                [pg_bin("pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(config.pg_dir / "data")],
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            cwd=PG_CWD,
        )


# --- RabbitMQ ------------------------------------------------------------------------------

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"


def broker_binary() -> str:
    # The package's /usr/sbin wrapper switches to the system's `rabbitmq` user and its
    # /var/lib folders; the script under /usr/lib runs a node wherever the environment says.
    if Path(RABBITMQ_SERVER).exists():
        return RABBITMQ_SERVER
    if found := shutil.which("rabbitmq-server"):
        return found
    die("rabbitmq-server not found; run `make setup` to install it")
    raise AssertionError  # unreachable


def epmd_binary() -> str | None:
    candidates = sorted(Path("/usr/lib/erlang").glob("erts-*/bin/epmd"))
    return str(candidates[-1]) if candidates else shutil.which("epmd")


def broker_env(config: Config) -> dict[str, str]:
    """A node of this stack's own: its name, ports, files and cookie, all under var/rabbitmq."""
    base = config.broker_dir
    # One node name per state folder, so two stacks on one machine never meet.
    node = "social-" + hashlib.sha256(str(config.var).encode()).hexdigest()[:12]
    loopback = "{127,0,0,1}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RABBITMQ_", "ERL_")) and key != "SOCIAL_STACK_ID"
    }
    env.update(
        {
            # The Erlang cookie lives in $HOME: this node's own, not the user's.
            "HOME": str(base),
            "RABBITMQ_NODENAME": f"{node}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": config["BROKER_PORT"],
            "RABBITMQ_DIST_PORT": config.broker_port("BROKER_DIST_PORT"),
            "ERL_EPMD_PORT": config.broker_port("BROKER_EPMD_PORT"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": f"-kernel inet_dist_use_interface {loopback}",
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_PID_FILE": str(config.broker_pid_file),
            # Marks the node's processes (and the epmd it starts) for `broker_stop`.
            "SOCIAL_BROKER_ID": str(config.var),
        }
    )
    return env


def broker_pid(config: Config) -> int | None:
    try:
        pid = int(config.broker_pid_file.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def broker_answers(config: Config) -> bool:
    import pika
    from pika.adapters.utils.connection_workflow import AMQPConnectorException

    params = pika.URLParameters(config.broker_url)
    params.socket_timeout = params.stack_timeout = 2
    params.connection_attempts = 1
    try:
        pika.BlockingConnection(params).close()
    except (pika.exceptions.AMQPError, AMQPConnectorException, OSError):
        return False
    return True


def broker_start(config: Config) -> None:
    """Start this stack's RabbitMQ node (when it is not running) and wait until it answers."""
    base = config.broker_dir
    for sub in ("mnesia", "log"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    # The default user is made from these on the node's first boot (empty mnesia folder).
    (base / "rabbitmq.conf").write_text(
        "\n".join(
            [
                f"listeners.tcp.default = 127.0.0.1:{config['BROKER_PORT']}",
                f"default_user = {config['BROKER_USER']}",
                f"default_pass = {config['BROKER_PASSWORD']}",
                "default_vhost = /",
                "log.console = false",
                "log.file.level = warning",
                "",
            ]
        )
    )
    (base / "rabbitmq.conf").chmod(0o600)
    (base / "advanced.config").write_text("[].\n")
    # No plugins: the management plugin would listen on a fixed port (15672).
    (base / "enabled_plugins").write_text("[].\n")
    if broker_pid(config) is None:
        say(f"starting RabbitMQ on 127.0.0.1:{config['BROKER_PORT']}")
        with (base / "log" / "startup.log").open("ab") as log:
            subprocess.Popen(
                [broker_binary()],
                cwd=base,
                env=broker_env(config),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    deadline = time.monotonic() + 90
    while not broker_answers(config):
        if time.monotonic() > deadline:
            tail = (base / "log" / "startup.log").read_text(errors="replace")[-3000:]
            die(f"RabbitMQ did not start; its log ends with:\n{tail}")
        time.sleep(0.3)


def broker_stop(config: Config) -> None:
    pid = broker_pid(config)
    if pid is not None:
        say("stopping RabbitMQ")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)  # a test may have frozen it
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while broker_pid(config) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        config.broker_pid_file.unlink(missing_ok=True)
    # The node started an epmd of its own on BROKER_EPMD_PORT; it outlives the node.
    marker = f"SOCIAL_BROKER_ID={config.var}".encode()
    for pid in marked_processes(marker):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


# --- Django --------------------------------------------------------------------------------


def manage(config: Config, service: str, *args: str, quiet: bool = False) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO / "services" / service,
        env=config.process_env(),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def manage_command(config: Config, args: list[str]) -> None:
    """`stack.py manage SERVICE ARGS...`: run one management command against this stack."""
    if not args or args[0] not in SERVICES:
        die(f"usage: stack.py manage {{{'|'.join(SERVICES)}}} COMMAND [ARGS...]")
    if not pg_running(config):
        die(
            f"the Postgres of the stack in {config.var} is not running: start the stack "
            "(`make up`, or `make run` in another terminal) first"
        )
    result = subprocess.run(
        [sys.executable, "manage.py", *args[1:]],
        cwd=REPO / "services" / args[0],
        env=config.process_env(),
        check=False,
    )
    raise SystemExit(result.returncode)


def migrate(config: Config) -> None:
    for service in SERVICES:
        say(f"migrating the {service} service")
        manage(config, service, "migrate", "--noinput", quiet=True)
        manage(config, service, "collectstatic", "--noinput", quiet=True)
        if service in EVENT_SERVICES:
            # The exchange, and the service's queues and bindings, before any relay publishes:
            # what is published before the first consumer starts then waits in its queue.
            manage(config, service, "consume_events", "--declare", quiet=True)


# --- Backups -------------------------------------------------------------------------------


def backups_dir(config: Config) -> Path:
    return Path(config.values.get("BACKUP_DIR") or config.var / "backups").resolve()


def pg_client_env(config: Config) -> dict[str, str]:
    return {**os.environ, "PGPASSWORD": config["PG_SUPERUSER_PASSWORD"]}


def pg_client_args(config: Config, service: str) -> list[str]:
    return ["-h", "127.0.0.1", "-p", config["PG_PORT"], "-U", "postgres", "-d", service]


def backup(config: Config, args: list[str]) -> None:
    """`stack.py backup [DIR]`: every service's database (pg_dump) and the media, into DIR.

    Runs beside a serving stack: pg_dump reads one consistent snapshot per database. Media files
    are written before their rows commit and deleted after, so a copy taken after the dumps holds
    every file they name.
    """
    if not pg_running(config):
        die(f"the Postgres of the stack in {config.var} is not running: `make up` first")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = Path(args[0]).resolve() if args else backups_dir(config) / stamp
    target.mkdir(parents=True, exist_ok=False)
    for service in SERVICES:
        say(f"dumping the {service} database")
        subprocess.run(
            [
                pg_bin("pg_dump"),
                "--format=custom",
                f"--file={target / f'{service}.dump'}",
                *pg_client_args(config, service),
            ],
            env=pg_client_env(config),
            check=True,
        )
    say("copying the media")
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        for service in SERVICES:
            media = config.var / "media" / service
            if media.is_dir():
                archive.add(media, arcname=service)
    say(f"backup written to {target}")
    if not args:
        prune_backups(config)


def prune_backups(config: Config) -> None:
    """Keep the newest BACKUP_KEEP backups (default 7) of the default folder; delete the rest."""
    keep = int(config.values.get("BACKUP_KEEP", "7"))
    folders = sorted(p for p in backups_dir(config).iterdir() if (p / "media.tar.gz").exists())
    for old in folders[: max(0, len(folders) - keep)]:
        say(f"removing the old backup {old.name} (BACKUP_KEEP={keep})")
        shutil.rmtree(old)


def recreate_database(config: Config, service: str) -> None:
    """Drop the service's database and create it empty, with its role (ensure_databases)."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(
        config.database_url("postgres", superuser=True).rsplit("/", 1)[0] + "/postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(service)))
    conn.close()
    ensure_databases(config)


def extract_media(archive: tarfile.TarFile, target: Path) -> None:
    """Unpack a backup's media: plain files and folders inside `target`, nothing else."""
    if hasattr(tarfile, "data_filter"):
        archive.extractall(target, filter="data")
        return
    # Python before 3.11.4 (Debian 12's 3.11.2) has no extraction filters: check each member.
    for member in archive.getmembers():
        inside = (target / member.name).resolve().is_relative_to(target.resolve())
        if not inside or not (member.isfile() or member.isdir()):
            die(f"{member.name!r} in the backup's media is not a plain file inside it")
    archive.extractall(target)  # noqa: S202 - every member is checked above


def restore(config: Config, args: list[str]) -> None:
    """`stack.py restore DIR`: replace every database and the media with a backup's.

    The stack must be stopped: the databases are dropped and created again.
    """
    if len(args) != 1:
        die("usage: stack.py restore DIR   (a folder `stack.py backup` wrote)")
    source = Path(args[0]).resolve()
    missing = [
        name
        for name in (*(f"{s}.dump" for s in SERVICES), "media.tar.gz")
        if not (source / name).is_file()
    ]
    if missing:
        die(f"{source} is not a backup: {', '.join(missing)} missing")
    if running_pid(config) or stack_processes(config):
        die(
            "stop the stack first (`make down`, or Ctrl-C where `make run` runs): a restore "
            "replaces its databases"
        )
    if not config.values.get("JWT_SIGNING_KEY"):
        die(f"{config['ENV_FILE']} is missing; run `make setup` (or `stack.py init-env`)")
    started = not pg_running(config)
    db_start(config)
    try:
        for service in SERVICES:
            say(f"restoring the {service} database")
            recreate_database(config, service)
            subprocess.run(
                [
                    pg_bin("pg_restore"),
                    "--no-owner",
                    f"--role={service}",
                    "--exit-on-error",
                    "--single-transaction",
                    *pg_client_args(config, service),
                    str(source / f"{service}.dump"),
                ],
                env=pg_client_env(config),
                check=True,
            )
        say("restoring the media")
        for service in SERVICES:
            media = config.var / "media" / service
            shutil.rmtree(media, ignore_errors=True)
            media.mkdir(parents=True)
        with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
            extract_media(archive, config.var / "media")
    finally:
        if started:
            db_stop(config)
    say(f"restored {source}; start the stack with `make up` or `make run`")


# --- Gateway -------------------------------------------------------------------------------


def render(template: Path, values: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            die(f"{template.name} needs {name}, which is not set")
        return values[name]

    return re.sub(r"\$\{([A-Z][A-Z0-9_]*)\}", substitute, template.read_text())


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        die("nginx not found; run `make setup` to install it")
    return found


def gateway_user_directive(config: Config) -> str:
    """nginx's `user` line: as root its workers drop to `nobody`, who must reach the files served.

    Below a private folder (/root) they cannot; the workers then stay root like every other
    process of a stack started as root (gunicorn included), listening on 127.0.0.1 only.
    """
    if os.geteuid() != 0:
        return ""
    served = [REPO / "services", config.var]
    if all(reachable_by(path, "nobody") for path in served):
        return ""
    say(f"'nobody' cannot enter {REPO}: the gateway's workers run as root")
    return "user root;"


def render_gateway(config: Config) -> None:
    gateway = config.gateway_dir
    for sub in ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (gateway / sub).mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        (config.var / "media" / service).mkdir(parents=True, exist_ok=True)
    # nginx -t opens the access log; a file's folder must exist before the first start.
    access_log = Path(config["GATEWAY_ACCESS_LOG"])
    if not access_log.is_relative_to("/dev"):
        access_log.parent.mkdir(parents=True, exist_ok=True)
    env = config.process_env()
    values = {
        **env,
        "USERS_UPSTREAM": f"127.0.0.1:{config['USERS_PORT']}",
        "FEED_UPSTREAM": f"127.0.0.1:{config['FEED_PORT']}",
        "NOTIFICATIONS_UPSTREAM": f"127.0.0.1:{config['NOTIFICATIONS_PORT']}",
        "GATEWAY_LISTEN": f"127.0.0.1:{config['GATEWAY_PORT']}",
        "GATEWAY_ACCESS_LOG": config["GATEWAY_ACCESS_LOG"],
        "USERS_STATIC_ROOT": str(REPO / "services" / "users" / "staticfiles"),
        "FEED_STATIC_ROOT": str(REPO / "services" / "feed" / "staticfiles"),
        "NGINX_MIME_TYPES": "/etc/nginx/mime.types",
        "GATEWAY_USER": gateway_user_directive(config),
    }
    server = render(GATEWAY_TEMPLATE, values)
    if extra := config.values.get("GATEWAY_SERVER_INCLUDE"):
        # Locations of a stack's own (the benchmark's bare-framework reference) inside the one
        # server block, so that they run under every setting of the gateway's server.
        if server.count("\nserver {\n") != 1:
            die(f"{GATEWAY_TEMPLATE.name} must have one server block for GATEWAY_SERVER_INCLUDE")
        server = server.replace("\nserver {\n", f"\nserver {{\n    include {extra};\n", 1)
    (gateway / "gateway.conf").write_text(server)
    (gateway / "nginx.conf").write_text(render(GATEWAY_MAIN_TEMPLATE, values))
    trusted = subprocess.run(
        ["sh", str(TRUSTED_PROXIES_SCRIPT), str(gateway / "trusted-proxies.conf")],
        env={**os.environ, "TRUSTED_PROXIES": config["TRUSTED_PROXIES"]},
        capture_output=True,
        text=True,
    )
    if trusted.returncode != 0:
        die(trusted.stderr.strip())
    check = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-q",
            "-e",
            "stderr",
            "-p",
            str(gateway),
            "-c",
            str(gateway / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        die(f"the rendered gateway configuration is invalid:\n{check.stderr}")


# --- Processes -----------------------------------------------------------------------------


def honcho_command(config: Config) -> list[str]:
    empty_env = config.var / "run" / "honcho.env"
    empty_env.parent.mkdir(parents=True, exist_ok=True)
    empty_env.touch()
    workers = config["EVENT_WORKERS"]
    concurrency = ",".join(
        f"{name}={workers}"
        for name in ("users-relay", "feed-relay", "feed-consumer", "notifications-consumer")
    )
    return [
        str(Path(sys.executable).parent / "honcho"),
        "start",
        "--no-colour",
        "-c",
        concurrency,
        "-d",
        str(REPO),
        "-f",
        str(PROCFILE),
        "-e",
        str(empty_env),
    ]


def stack_env(config: Config) -> dict[str, str]:
    """The environment honcho runs the Procfile with."""
    # nginx lives in /usr/sbin, which is not on a non-root user's PATH.
    return {**config.process_env(), "NGINX_BIN": nginx_binary()}


# Each port the stack listens on, by the variable that moves it.
PORT_VARIABLES = (
    "PG_PORT",
    "BROKER_PORT",
    *(f"{service.upper()}_PORT" for service in SERVICES),
    "GATEWAY_PORT",
    "SMTP_PORT",
)


def port_in_use(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port (connections of a stopped one do not count)."""
    with socket.socket() as sock:
        # As every server here binds: a port whose old connections linger in TIME_WAIT is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def check_not_running(config: Config) -> None:
    """Refuse to start a second copy of this stack: it would take the first one's processes down."""
    if pid := running_pid(config):
        die(
            f"this stack is already running (pid {pid}, state in {config.var}); stop it with "
            "Ctrl-C where `make run` runs, or `make down` after `make up`. A second stack beside "
            "it needs its own VAR_DIR and ports (README: Configuration)"
        )
    if stack_processes(config):
        die(f"processes of the stack in {config.var} are still running; `make down` stops them")


def check_ports_free(config: Config) -> None:
    """Find a port in use before anything starts, and say which variable moves it."""
    for name in PORT_VARIABLES:
        if name == "PG_PORT" and pg_running(config):
            continue  # our own Postgres, left running by `stack.py db-start`
        if name == "BROKER_PORT" and broker_pid(config) is not None:
            continue  # our own RabbitMQ, left running by `stack.py broker-start`
        port = int(config[name])
        if port_in_use(port):
            die(
                f"port {port} on 127.0.0.1 is in use by another program; stop it, or move this "
                f"stack with {name}=<free port> (in .env or the environment)"
            )


def prepare(config: Config) -> None:
    init_env(config)
    if not config.values.get("JWT_SIGNING_KEY"):
        die(f"{config['ENV_FILE']} is missing; run `make setup` (or `stack.py init-env`)")
    init_env(config)
    check_ports_free(config)
    nginx_binary()
    db_start(config)
    broker_start(config)
    migrate(config)
    render_gateway(config)


def url_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_ready(config: Config, proc: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + float(config["READY_TIMEOUT_SECONDS"])
    urls = [
        f"http://127.0.0.1:{config['USERS_PORT']}/readyz",
        f"http://127.0.0.1:{config['FEED_PORT']}/readyz",
        f"http://127.0.0.1:{config['NOTIFICATIONS_PORT']}/readyz",
        f"http://127.0.0.1:{config['GATEWAY_PORT']}/healthz",
    ]
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if all(url_ok(url) for url in urls):
            return True
        time.sleep(0.3)
    return False


def running_pid(config: Config) -> int | None:
    try:
        pid = int(config.pid_file.read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def banner(config: Config) -> None:
    url = f"http://127.0.0.1:{config['GATEWAY_PORT']}"
    say(f"the stack is serving at {url}  (try: curl {url}/healthz)")


def run(config: Config) -> None:
    check_not_running(config)
    # A second `make run` or `make up` finds this one by the pid file and leaves it alone.
    config.pid_file.parent.mkdir(parents=True, exist_ok=True)
    config.pid_file.write_text(str(os.getpid()))
    try:
        run_in_foreground(config)
    finally:
        config.pid_file.unlink(missing_ok=True)


def run_in_foreground(config: Config) -> None:
    try:
        prepare(config)
    except BaseException:
        broker_stop(config)
        db_stop(config)
        raise
    banner(config)
    say("streaming logs; Ctrl-C stops everything")
    proc = subprocess.Popen(honcho_command(config), cwd=REPO, env=stack_env(config))
    try:
        proc.wait()
    except KeyboardInterrupt:
        # The terminal sent SIGINT to honcho too; give it time to stop its children.
        with contextlib.suppress(KeyboardInterrupt):
            proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        kill_stragglers(config)
        broker_stop(config)
        db_stop(config)
        say("stopped")


def up(config: Config) -> None:
    if running_pid(config):
        if wait_until_ready(config):
            banner(config)
            return
        die("a stack is running but not answering; `make down` first")
    check_not_running(config)
    try:
        prepare(config)
    except BaseException:
        broker_stop(config)
        db_stop(config)
        raise
    config.log_file.parent.mkdir(parents=True, exist_ok=True)
    log = config.log_file.open("ab")
    proc = subprocess.Popen(
        honcho_command(config),
        cwd=REPO,
        env=stack_env(config),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    config.pid_file.write_text(str(proc.pid))
    if not wait_until_ready(config, proc):
        tail = config.log_file.read_text(errors="replace").splitlines()[-40:]
        print("\n".join(tail), file=sys.stderr)
        down(config)
        die(f"the stack did not become ready; full log in {config.log_file}")
    banner(config)
    say(f"logs: {config.log_file}; stop with `make down`")


def stack_processes(config: Config) -> list[int]:
    """Pids of live processes started by this stack (they carry its SOCIAL_STACK_ID)."""
    return marked_processes(f"SOCIAL_STACK_ID={config.var}".encode())


def marked_processes(marker: bytes) -> list[int]:
    """Pids of live processes whose environment holds `marker` (`NAME=value`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
    return pids


def kill_stragglers(config: Config, *, grace: float = 15.0) -> None:
    pids = stack_processes(config)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        time.sleep(0.2)
        pids = stack_processes(config)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def down(config: Config) -> None:
    pid = running_pid(config)
    if pid:
        say("stopping the services and the gateway")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while running_pid(config) and time.monotonic() < deadline:
            time.sleep(0.2)
    kill_stragglers(config)
    config.pid_file.unlink(missing_ok=True)
    broker_stop(config)
    db_stop(config)
    say("down")


# --- make test -----------------------------------------------------------------------------


# Throwaway stacks pick their ports below the kernel's ephemeral range. A port the kernel hands
# out (bind to 0) lies inside that range, where every outgoing connection also takes its local
# port: a broker that a fault test stops and starts again found its port taken meanwhile by a
# connection of the suite's own (`eaddrinuse`, `dist_port_already_used`).
_THROWAWAY_PORTS = (20000, 32767)


def free_port() -> int:
    """A loopback port that is free now and outside the ephemeral range."""
    low, high = _THROWAWAY_PORTS
    with contextlib.suppress(OSError, ValueError):
        ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
        high = min(high, ephemeral_low - 1)
    for _ in range(500):
        port = secrets.choice(range(low, high + 1))
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    die(f"no free port between {low} and {high}")


# Suites that run beside the others in `make test` (each has a database of its own).
BACKGROUND_SUITES = ("notifications",)


def run_service_suite(
    scratch: Config,
    workdir: Path,
    service: str,
    pytest_args: list[str],
    *,
    background: bool = False,
) -> subprocess.Popen[bytes]:
    """Start one service's pytest against the scratch cluster (its output to a file if
    `background`)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        f"{service.upper()}_DATABASE_URL": scratch.database_url(service, superuser=True),
        f"{service.upper()}_MEDIA_ROOT": str(workdir / "media" / service),
        "ENV_FILE": str(workdir / "no.env"),
        "BROKER_URL": scratch.broker_url,
    }
    output = (workdir / f"{service}-tests.log").open("wb") if background else None
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *pytest_args],
        cwd=REPO / "services" / service,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if background else None,
    )


def test(config: Config, pytest_args: list[str]) -> None:
    """Service suites against a throwaway cluster, then the end-to-end suite (its own stack)."""
    base = config.var / "test"
    base.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    # The unprivileged Postgres user must reach the scratch cluster.
    os.chmod(workdir, 0o755)  # noqa: S103
    scratch = Config(
        {
            **config.values,
            "VAR_DIR": str(workdir),
            "PG_PORT": str(free_port()),
            "PG_SUPERUSER_PASSWORD": secrets.token_urlsafe(24),
            "USERS_DB_PASSWORD": secrets.token_urlsafe(24),
            "FEED_DB_PASSWORD": secrets.token_urlsafe(24),
            "NOTIFICATIONS_DB_PASSWORD": secrets.token_urlsafe(24),
            "BROKER_PORT": str(free_port()),
            "BROKER_DIST_PORT": str(free_port()),
            "BROKER_EPMD_PORT": str(free_port()),
            "BROKER_PASSWORD": secrets.token_urlsafe(24),
        }
    )
    # TEST_ONLY=users|feed|notifications|e2e runs one suite, for quick iterations on one part.
    only = os.environ.get("TEST_ONLY", "")
    failed = []
    try:
        db_start(scratch, throwaway=True)
        if only != "e2e":
            broker_start(scratch)
        suites = [service for service in SERVICES if not only or only == service]
        # Small suites run beside the others, their output kept until they finish; the rest
        # run one after the other with their output live.
        background = {
            service: run_service_suite(scratch, workdir, service, pytest_args, background=True)
            for service in suites
            if service in BACKGROUND_SUITES and len(suites) > 1
        }
        for service in suites:
            if service in background:
                continue
            say(f"{service} service tests")
            if run_service_suite(scratch, workdir, service, pytest_args).wait() != 0:
                failed.append(service)
        for service, proc in background.items():
            code = proc.wait()
            say(f"{service} service tests (run beside the others)")
            print((workdir / f"{service}-tests.log").read_text(errors="replace"), flush=True)
            if code != 0:
                failed.append(service)
    finally:
        broker_stop(scratch)
        db_stop(scratch)
    if not only or only == "e2e":
        say("end-to-end tests through the gateway")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "tests", *pytest_args],
            cwd=REPO,
            env={**os.environ, "E2E_WORK_DIR": str(workdir / "e2e")},
        )
        if result.returncode != 0:
            failed.append("end-to-end")
    if failed:
        die(f"failed: {', '.join(failed)} (scratch files kept in {workdir})")
    # Clusters the run's stacks kept in the Postgres user's home (Config.pg_dir) go too.
    for owner in scratch.pg_dir.parent.glob("*/VAR_DIR"):
        if Path(owner.read_text()).is_relative_to(workdir):
            shutil.rmtree(owner.parent, ignore_errors=True)
    shutil.rmtree(workdir, ignore_errors=True)
    say("all test suites passed")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command",
        choices=[
            "init-env",
            "run",
            "up",
            "down",
            "test",
            "db-start",
            "db-stop",
            "broker-start",
            "broker-stop",
            "migrate",
            "render-gateway",
            "manage",
            "backup",
            "restore",
        ],
    )
    parser.add_argument(
        "extra",
        nargs=argparse.REMAINDER,
        help="extra pytest arguments for `test`; SERVICE and the command's arguments for `manage`",
    )
    args = parser.parse_args()
    config = Config.load()
    actions = {
        "init-env": lambda: init_env(config),
        "run": lambda: run(config),
        "up": lambda: up(config),
        "down": lambda: down(config),
        "test": lambda: test(config, args.extra),
        "db-start": lambda: db_start(config),
        "db-stop": lambda: db_stop(config),
        "broker-start": lambda: broker_start(config),
        "broker-stop": lambda: broker_stop(config),
        "migrate": lambda: migrate(config),
        "render-gateway": lambda: render_gateway(config),
        "manage": lambda: manage_command(config, args.extra),
        "backup": lambda: backup(config, args.extra),
        "restore": lambda: restore(config, args.extra),
    }
    actions[args.command]()


if __name__ == "__main__":
    main()
