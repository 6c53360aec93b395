"""`manage.py check --deploy` under the prod settings, for both services, as subprocesses.

No database is needed: the checks never connect unless `--database` is passed, so the URL points
at a closed loopback port.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy import support


def run_check(
    service: str, env: dict[str, str], tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", *args],
        cwd=support.REPO / "services" / service,
        env={
            # Nothing from the developer's environment or .env leaks in.
            "PATH": os.environ["PATH"],
            "ENV_FILE": str(tmp_path / "absent.env"),
            "PYTHONDONTWRITEBYTECODE": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(service: str) -> dict[str, str]:
    """A production deployment behind HTTPS, with every value the way an operator sets it."""
    secret = {name: secrets.token_urlsafe(48) for name in support.required_secrets(service)}
    return {
        **secret,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DEBUG": "false",
        f"{service.upper()}_DATABASE_URL": f"postgres://{service}:{secrets.token_urlsafe(24)}"
        f"@127.0.0.1:9/{service}",
        "ALLOWED_HOSTS": f"social.example.com,{service},localhost",
        "PUBLIC_BASE_URL": "https://social.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://social.example.com",
    }


@pytest.mark.parametrize("service", support.SERVICES)
def test_check_deploy_is_clean_under_prod_settings(service, tmp_path):
    # Every check, drf-spectacular's schema generation included (it runs under --deploy).
    result = run_check(service, production_env(service), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("service", support.SERVICES)
def test_security_deploy_checks_are_clean_under_prod_settings(service, tmp_path):
    result = run_check(service, production_env(service), tmp_path, "--tag", "security")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", support.SERVICES)
def test_prod_compose_environment_loads_and_only_lacks_tls(service, tmp_path):
    """The exact environment docker-compose-prod.yml gives the service passes the deploy checks,
    but for the one warning a plain-HTTP deployment must carry (TLS belongs in front of it)."""
    env = support.environment(support.load_compose("prod")["services"][service])
    # The database host is a Compose service name; point it at a closed loopback port instead.
    key = f"{service.upper()}_DATABASE_URL"
    env[key] = env[key].replace(f"@{service}-db:5432/", "@127.0.0.1:9/")
    result = run_check(service, env, tmp_path, "--tag", "security")
    reported = {
        line.split(")")[0].split("(")[-1]
        for line in result.stderr.splitlines()
        if line.startswith("?: (")
    }
    assert reported == {"security.W008"}, result.stdout + result.stderr
