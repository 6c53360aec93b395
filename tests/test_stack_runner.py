"""deploy/local/stack.py as a developer meets it, beside the running end-to-end stack."""

import os
import signal
import socket
import time

from tests.conftest import free_port


def test_a_second_run_beside_a_running_stack_says_so_and_leaves_it_alone(stack, api):
    second = stack.stack_command("run")
    assert second.returncode != 0
    assert "already running" in second.stderr
    # The first stack still serves, Postgres and every service included.
    assert api.get("/healthz").status_code == 200
    assert api.get("/api/v1/posts/1").status_code in (200, 404)


def test_a_port_in_use_is_named_with_its_variable_before_anything_starts(stack, tmp_path):
    var_dir = tmp_path / "var"
    ports = {
        name: str(free_port())
        for name in ("PG_PORT", "BROKER_PORT", "USERS_PORT", "FEED_PORT", "NOTIFICATIONS_PORT")
    }
    # Another program holds the gateway's port.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        result = stack.stack_command(
            "up", env={**ports, "GATEWAY_PORT": str(busy), "VAR_DIR": str(var_dir)}
        )
    assert result.returncode != 0
    assert f"port {busy}" in result.stderr
    assert "GATEWAY_PORT" in result.stderr
    # Nothing was started: no cluster was made for the refused stack.
    assert "starting Postgres" not in result.stdout
    assert not (var_dir / "postgres" / "data").exists()


def test_manage_runs_a_management_command_against_the_stacks_database(stack):
    result = stack.stack_command("manage", "users", "showmigrations", "accounts")
    assert result.returncode == 0, result.stderr
    assert "[X] 0001_initial" in result.stdout
    refused = stack.stack_command("manage", "nosuchservice", "check")
    assert refused.returncode != 0
    assert "usage" in refused.stderr


def test_a_crashed_service_is_restarted_and_the_rest_keep_running(stack, api, account):
    """SIGKILL every process of the feed service: the supervisor starts it again, and the
    users service never stopped answering (honcho alone stopped the whole stack)."""
    from tests.test_walking_skeleton import _listening_pids

    feed_port = int(stack.feed_url.rsplit(":", 1)[1])
    pids = _listening_pids(feed_port)
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)

    users_answers, back = [], False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not back:
        users_answers.append(api.get("/api/v1/users/me", headers=account.auth).status_code)
        back = api.get("/api/v1/posts/999999").status_code == 404
        time.sleep(0.25)

    assert back, "the feed service did not come back"
    assert set(users_answers) == {200}
    assert set(_listening_pids(feed_port)).isdisjoint(pids)
    log = (stack.work_dir / "var" / "log" / "stack.log").read_text()
    assert "supervise: feed exited with code" in log
