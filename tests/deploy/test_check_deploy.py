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
        "BROKER_URL": f"amqp://social:{secrets.token_urlsafe(24)}@127.0.0.1:9/",
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
    # Plain HTTP: no redirect to HTTPS, and the cookies (the admins of users and feed) not
    # Secure, since a browser would never send them back over http.
    plain_http = {"security.W008", "security.W016"}
    if service in ("users", "feed"):
        plain_http.add("security.W012")
    assert reported == plain_http, result.stdout + result.stderr


HSTS_PROBE = """
import django
django.setup()
from django.test import Client
client = Client()
for proto in ("https", "http", None):
    headers = {"HTTP_HOST": "social.example.com"}
    if proto:
        headers["HTTP_X_FORWARDED_PROTO"] = proto
    response = client.get("/healthz", **headers)
    print(proto, response.status_code, response.headers.get("Strict-Transport-Security"))
"""


@pytest.mark.parametrize("service", support.SERVICES)
def test_hsts_follows_the_scheme_the_gateway_forwards(service, tmp_path):
    """Behind a TLS load balancer the gateway forwards X-Forwarded-Proto: https (from its trusted
    proxies): those responses carry HSTS, plain-HTTP ones (a probe, a direct call) never do."""
    env = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": str(tmp_path / "absent.env"),
        **production_env(service),
    }
    result = subprocess.run(
        [sys.executable, "-c", HSTS_PROBE],
        cwd=support.REPO / "services" / service,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["https"] == "200 max-age=2592000; includeSubDomains; preload"
    assert lines["http"] == "200 None"
    assert lines["None"] == "200 None"
