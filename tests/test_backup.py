"""`stack.py backup` of a running stack, `restore` into a fresh one: the data is all there."""

import io
import shutil
import subprocess
import sys
from urllib.parse import urlsplit

from PIL import Image

from tests.conftest import STACK, Api, free_port, sign_up


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_backup_restored_into_a_fresh_stack_has_the_accounts_posts_and_images(stack, api):
    owner = sign_up(api)
    created = api.post(
        "/api/v1/posts",
        headers=owner.auth,
        data={"title": "kept safe"},
        files=[("images", ("a.jpg", jpeg(), "image/jpeg"))],
    )
    assert created.status_code == 201, created.text
    post = created.json()
    image_path = urlsplit(post["images"][0]["url"]).path

    backup_dir = stack.work_dir / "backup-test"
    made = stack.stack_command("backup", str(backup_dir))
    assert made.returncode == 0, made.stdout + made.stderr
    dumps = {f"{service}.dump" for service in ("users", "feed", "notifications")}
    assert {p.name for p in backup_dir.iterdir()} == {*dumps, "media.tar.gz"}

    # A fresh stack: its own folder, ports and secrets (a new machine).
    fresh = stack.work_dir / "fresh"
    fresh.mkdir()
    fresh.chmod(0o755)
    env = {
        **stack.env,
        "VAR_DIR": str(fresh / "var"),
        "ENV_FILE": str(fresh / ".env"),
        **{
            name: str(free_port())
            for name in (
                "PG_PORT",
                "USERS_PORT",
                "FEED_PORT",
                "NOTIFICATIONS_PORT",
                "BROKER_PORT",
                "BROKER_DIST_PORT",
                "BROKER_EPMD_PORT",
                "SMTP_PORT",
            )
        },
        "GATEWAY_PORT": str(free_port()),
    }
    # Its own secrets: none of the first stack's.
    for name in [n for n in env if n.endswith(("_SECRET_KEY", "_PASSWORD", "_TOKEN", "_KEY"))]:
        env.pop(name)

    def fresh_stack(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(STACK), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    assert fresh_stack("init-env").returncode == 0
    try:
        restored = fresh_stack("restore", str(backup_dir))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        started = fresh_stack("up")
        assert started.returncode == 0, started.stdout + started.stderr
        with Api(f"http://127.0.0.1:{env['GATEWAY_PORT']}") as there:
            tokens = there.post(
                "/api/v1/auth/token", json={"email": owner.email, "password": owner.password}
            )
            assert tokens.status_code == 200, tokens.text
            got = there.get(f"/api/v1/posts/{post['id']}")
            assert got.status_code == 200, got.text
            assert got.json()["title"] == "kept safe"
            assert got.json()["author"]["username"] == owner.username
            image = there.get(image_path)
            assert image.status_code == 200
            assert Image.open(io.BytesIO(image.content)).size == (64, 48)
    finally:
        fresh_stack("down")
        shutil.rmtree(fresh, ignore_errors=True)


def test_restore_refuses_while_the_stack_runs_and_a_folder_that_is_no_backup(stack, tmp_path):
    running = stack.stack_command("restore", str(tmp_path))
    assert running.returncode != 0
    assert "not a backup" in running.stderr
