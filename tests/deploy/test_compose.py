"""docker-compose.yml (development) and docker-compose-prod.yml (production), without an engine.

The files are checked against the Compose Specification's JSON schema (the copy check-jsonschema
vendors, pinned in requirements-dev.txt) after interpolation, then against the project's rules.
"""

import copy
import json
import os
import re
import shutil
import subprocess
from importlib import resources

import jsonschema
import pytest

from tests.deploy import support

KINDS = ("dev", "prod")
DATABASES = {"users": "users-db", "feed": "feed-db", "notifications": "notifications-db"}
MIGRATIONS = {
    "users": "users-migrate",
    "feed": "feed-migrate",
    "notifications": "notifications-migrate",
}
# The event processes: each runs a manage.py command from its service's image.
EVENT_WORKERS = {
    "users-relay": ("users", "relay_events"),
    "users-consumer": ("users", "consume_events"),
    "feed-relay": ("feed", "relay_events"),
    "feed-consumer": ("feed", "consume_events"),
    "notifications-consumer": ("notifications", "consume_events"),
}
# The processes besides each service that run its image against its database.
MIGRATED_WORKERS = {
    "users": ("users-relay", "users-consumer", "mailer"),
    "feed": ("trimmer", "feed-relay", "feed-consumer"),
    "notifications": ("notifications-consumer",),
}
# The services that run shared.events: their migrate step also declares their queues.
EVENT_SERVICES = ("users", "feed", "notifications")
MIGRATE_AND_DECLARE = [
    "sh",
    "-c",
    "python manage.py migrate --noinput && python manage.py consume_events --declare",
]


def compose_schema_validator() -> jsonschema.protocols.Validator:
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def image_healthcheck(service: dict) -> bool:
    """Whether a service built from one of our Dockerfiles inherits its HEALTHCHECK."""
    build = service.get("build")
    if not build:
        return False
    dockerfile = support.REPO / build.get("context", ".") / build["dockerfile"]
    return "HEALTHCHECK" in {
        command.cmd for command in support.dockerfile_commands(dockerfile.parent.name)
    }


@pytest.mark.parametrize("kind", KINDS)
def test_compose_file_matches_the_compose_specification(kind):
    errors = [
        error.message
        for error in compose_schema_validator().iter_errors(support.load_compose(kind))
    ]
    assert errors == []


def test_schema_check_rejects_a_misspelt_dependency_condition():
    broken = copy.deepcopy(support.load_compose("prod"))
    broken["services"]["gateway"]["depends_on"]["feed"]["condition"] = "service_healty"
    assert list(compose_schema_validator().iter_errors(broken))


@pytest.mark.parametrize("kind", KINDS)
def test_compose_refuses_to_start_without_the_secrets(kind):
    # An empty .env must stop Compose at interpolation, before any container starts.
    with pytest.raises(support.MissingVariableError):
        support.load_compose(kind, env={})


@pytest.mark.parametrize("kind", KINDS)
def test_each_service_has_its_own_postgres_16_with_its_own_volume_and_credentials(kind):
    compose = support.load_compose(kind)
    services, env = compose["services"], support.operator_env()
    seen_volumes, seen_users = set(), set()
    for name, db in DATABASES.items():
        database = services[db]
        assert re.fullmatch(r"postgres:16(\.\d+)?(-[a-z0-9.]+)?", database["image"])
        db_env = support.environment(database)
        assert db_env["POSTGRES_USER"] == name
        assert db_env["POSTGRES_DB"] == name
        assert db_env["POSTGRES_PASSWORD"] == env[f"{name.upper()}_DB_PASSWORD"]
        [data] = [
            m for m in support.volume_mounts(database) if m["target"] == "/var/lib/postgresql/data"
        ]
        assert data["type"] == "volume"
        assert data["source"] in compose["volumes"]
        seen_volumes.add(data["source"])
        seen_users.add(db_env["POSTGRES_USER"])
        # The service connects to its own database, as its own role, with that role's password.
        url = support.environment(services[name])[f"{name.upper()}_DATABASE_URL"]
        password = env[f"{name.upper()}_DB_PASSWORD"]
        assert url == f"postgres://{name}:{password}@{db}:5432/{name}"
    assert len(seen_volumes) == len(DATABASES)
    assert len(seen_users) == len(DATABASES)


@pytest.mark.parametrize("kind", KINDS)
def test_each_database_is_reachable_only_from_its_own_service(kind):
    compose = support.load_compose(kind)
    services = compose["services"]
    for name, db in DATABASES.items():
        [data_network] = support.networks(services[db])
        assert compose["networks"][data_network].get("internal") is True
        on_network = {s for s, spec in services.items() if data_network in support.networks(spec)}
        other = next(n for n in DATABASES if n != name)
        assert not any(s.startswith(other) for s in on_network), on_network
        assert "gateway" not in on_network


@pytest.mark.parametrize("kind", KINDS)
def test_services_wait_for_healthy_dependencies_and_completed_migrations(kind):
    services = support.load_compose(kind)["services"]
    for name, spec in services.items():
        for dependency, condition in support.depends_on(spec).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert condition in ("service_healthy", "service_completed_successfully"), name
            target = services[dependency]
            if condition == "service_healthy":
                has_check = "test" in (target.get("healthcheck") or {}) or (
                    image_healthcheck(target) and not target.get("healthcheck", {}).get("disable")
                )
                assert has_check, f"{name} waits for {dependency}, which has no health check"
    for name, db in DATABASES.items():
        migrate = MIGRATIONS[name]
        expected = {db: "service_healthy"}
        if name in EVENT_SERVICES:
            expected["rabbitmq"] = "service_healthy"
        assert support.depends_on(services[migrate]) == expected
        for waiter in (name, *MIGRATED_WORKERS[name]):
            deps = support.depends_on(services[waiter])
            assert deps[db] == "service_healthy"
            assert deps[migrate] == "service_completed_successfully"
    assert support.depends_on(services["gateway"]) == {
        "users": "service_healthy",
        "feed": "service_healthy",
        "notifications": "service_healthy",
    }


@pytest.mark.parametrize("kind", KINDS)
def test_migrations_run_once_in_one_shot_services(kind):
    services = support.load_compose(kind)["services"]
    for name, migrate in MIGRATIONS.items():
        spec = services[migrate]
        # Migrations, then the service's queues and bindings: declared before any relay
        # publishes, so nothing published before the first consumer starts is dropped.
        if name in EVENT_SERVICES:
            assert spec["command"] == MIGRATE_AND_DECLARE
        else:
            assert spec["command"] == ["python", "manage.py", "migrate", "--noinput"]
        assert spec["restart"] == "no"
        assert spec["build"]["dockerfile"] == f"services/{name}/Dockerfile"


@pytest.mark.parametrize("kind", KINDS)
def test_relays_and_consumers_run_from_their_services_image(kind):
    services = support.load_compose(kind)["services"]
    for name, (service, command) in EVENT_WORKERS.items():
        worker = services[name]
        assert worker["command"] == ["python", "manage.py", command]
        assert worker["build"] == services[service]["build"]
        assert worker["environment"] == services[service]["environment"]
        assert set(support.networks(worker)) == {f"{service}-data", "events"}
        # It serves no HTTP, so the image's /healthz check must not mark it unhealthy.
        assert worker["healthcheck"] == {"disable": True}
    # A deletion event removes the account's images: the consumer writes the feed's media.
    consumer_media = {m["source"] for m in support.volume_mounts(services["feed-consumer"])}
    assert "feed-media" in consumer_media


@pytest.mark.parametrize("kind", KINDS)
def test_rabbitmq_has_its_volume_a_health_check_and_the_credentials_every_service_uses(kind):
    compose = support.load_compose(kind)
    services, env = compose["services"], support.operator_env()
    broker = services["rabbitmq"]
    assert re.fullmatch(r"rabbitmq:3\.\d+(\.\d+)?(-[a-z0-9.]+)?", broker["image"])
    # The node's name, and so where its data lives, derives from the hostname.
    assert broker["hostname"] == "rabbitmq"
    [data] = [m for m in support.volume_mounts(broker) if m["target"] == "/var/lib/rabbitmq"]
    assert data["type"] == "volume"
    assert data["source"] in compose["volumes"]
    assert "rabbitmq-diagnostics" in broker["healthcheck"]["test"]
    broker_env = support.environment(broker)
    assert broker_env["RABBITMQ_DEFAULT_USER"] == "social"
    assert broker_env["RABBITMQ_DEFAULT_PASS"] == env["BROKER_PASSWORD"]
    assert compose["networks"]["events"].get("internal") is True
    assert support.networks(broker) == {"events"}
    url = f"amqp://social:{env['BROKER_PASSWORD']}@rabbitmq:5672/"
    for name in (*EVENT_SERVICES, *(MIGRATIONS[s] for s in EVENT_SERVICES), *EVENT_WORKERS):
        assert support.environment(services[name])["BROKER_URL"] == url, name
        assert "events" in support.networks(services[name]), name
    assert "events" not in support.networks(services["gateway"])


@pytest.mark.parametrize("kind", KINDS)
def test_the_mailer_runs_from_the_users_image_after_its_migrations(kind):
    services = support.load_compose(kind)["services"]
    mailer = services["mailer"]
    assert mailer["command"] == ["python", "manage.py", "send_mail"]
    assert mailer["build"] == services["users"]["build"]
    assert mailer["environment"] == services["users"]["environment"]
    assert support.depends_on(mailer) == {
        "users-db": "service_healthy",
        "users-migrate": "service_completed_successfully",
    }
    assert mailer["healthcheck"] == {"disable": True}
    # The users database, and a way out to the SMTP server; never the feed's data.
    assert support.networks(mailer) == {"users-data", "mail"}


def test_development_mail_goes_to_a_sink_that_keeps_every_message():
    services = support.load_compose("dev")["services"]
    assert support.environment(services["users"])["EMAIL_URL"] == "smtp://mail-sink:1025"
    sink = services["mail-sink"]
    assert sink["command"][:2] == ["python", "/opt/deploy/mail_sink.py"]
    assert "./deploy/local/mail_sink.py:/opt/deploy/mail_sink.py:ro" in sink["volumes"]
    assert support.networks(sink) == {"mail"}


def test_production_mail_goes_where_the_env_file_says():
    services = support.load_compose("prod")["services"]
    assert "mail-sink" not in services
    assert "EMAIL_URL" in support.pass_through_variables(support.load_compose("prod"))


@pytest.mark.parametrize("kind", KINDS)
def test_the_trimmer_runs_from_the_feed_image_hourly(kind):
    services = support.load_compose(kind)["services"]
    trimmer = services["trimmer"]
    assert trimmer["command"] == [
        "python", "manage.py", "trim_timeline_inboxes", "--every", "3600"
    ]  # fmt: skip
    assert trimmer["build"] == services["feed"]["build"]
    assert trimmer["environment"] == services["feed"]["environment"]
    assert trimmer["networks"] == ["feed-data"]
    assert trimmer["healthcheck"] == {"disable": True}


@pytest.mark.parametrize("kind", KINDS)
def test_each_service_runs_its_periodic_jobs_from_its_own_image(kind):
    services = support.load_compose(kind)["services"]
    for app in support.SERVICES:
        jobs = services[f"{app}-jobs"]
        assert jobs["command"] == ["python", "manage.py", "run_periodic_jobs"]
        assert jobs["build"] == services[app]["build"]
        assert jobs["environment"] == services[app]["environment"]
        assert jobs["networks"] == [f"{app}-data"]
        assert support.depends_on(jobs) == {
            f"{app}-db": "service_healthy",
            f"{app}-migrate": "service_completed_successfully",
        }


@pytest.mark.parametrize("kind", KINDS)
def test_our_images_are_always_built_never_pulled(kind):
    services = support.load_compose(kind)["services"]
    built = {name: spec for name, spec in services.items() if "build" in spec}
    assert set(built) == {
        *support.SERVICES, *MIGRATIONS.values(), *EVENT_WORKERS, "trimmer", "gateway",
        "users-jobs", "feed-jobs", "notifications-jobs", "mailer",
        *(["mail-sink"] if kind == "dev" else []),
    }  # fmt: skip
    for name, spec in built.items():
        assert spec["pull_policy"] == "build", name
    # The migrate services and the event workers share the service's image: built once.
    for name, migrate in MIGRATIONS.items():
        assert services[migrate]["image"] == services[name]["image"] == f"social-{name}"
    for name, (service, _) in EVENT_WORKERS.items():
        assert services[name]["image"] == f"social-{service}"
    assert services["trimmer"]["image"] == "social-feed"


@pytest.mark.parametrize("kind", KINDS)
def test_no_secret_is_written_in_the_compose_file(kind):
    text = support.COMPOSE_FILES[kind].read_text()
    references = support.variable_references(text)
    secret_variables = {name for name, _ in references if support.SECRET_NAME.search(name)}
    assert secret_variables == set(support.operator_env())
    # Secrets are required, never defaulted: a default would be a secret in the repository.
    for name, op in references:
        if name in secret_variables:
            assert op == ":?", f"{name} must be written ${{{name}:?...}}"
    # Every value that carries a secret is built from those references only.
    marked = support.load_compose(kind, env=_placeholders())
    for service in marked["services"].values():
        for key, value in support.environment(service).items():
            if support.SECRET_NAME.search(key) or key.endswith("DATABASE_URL"):
                assert re.search(r"<[A-Z_]+>", value), f"{key} has a literal value: {value!r}"


def _placeholders() -> dict[str, str]:
    """Every secret interpolated to a marker, to see which values come from the env file."""
    return {name: f"<{name}>" for name in support.operator_env()}


@pytest.mark.parametrize("kind", KINDS)
def test_gateway_environment_provides_every_template_placeholder(kind):
    gateway = support.load_compose(kind)["services"]["gateway"]
    provided = support.environment(gateway)
    missing = support.template_placeholders() - provided.keys()
    assert missing == set()
    assert all(provided[name] for name in support.template_placeholders())


@pytest.mark.parametrize("kind", KINDS)
def test_gateway_follows_replicas_through_dockers_dns(kind):
    services = support.load_compose(kind)["services"]
    env = support.environment(services["gateway"])
    assert env["GATEWAY_RESOLVER"] == "127.0.0.11"
    for name in support.SERVICES:
        host, port, *flags = re.split(r"[:\s]+", env[f"{name.upper()}_UPSTREAM"])
        assert (host, port, flags) == (name, "8000", ["resolve"])
    # `--scale feed=3` needs replicas without a fixed name or host port.
    assert "container_name" not in services["feed"]
    if kind == "prod":
        assert "ports" not in services["feed"]


@pytest.mark.parametrize("kind", KINDS)
def test_gateway_serves_the_media_volumes_the_services_write(kind):
    services = support.load_compose(kind)["services"]
    gateway = services["gateway"]
    gateway_env = support.environment(gateway)
    for name in support.MEDIA_SERVICES:
        root = support.environment(services[name])[f"{name.upper()}_MEDIA_ROOT"]
        [written] = [m for m in support.volume_mounts(services[name]) if m["target"] == root]
        [served] = [m for m in support.volume_mounts(gateway) if m["source"] == written["source"]]
        assert written["type"] == "volume"
        assert served["read_only"] is True
        assert gateway_env[f"{name.upper()}_MEDIA_ROOT"] == served["target"]


@pytest.mark.parametrize("kind", KINDS)
def test_services_accept_the_names_they_are_called_by(kind):
    services = support.load_compose(kind)["services"]
    for name in support.SERVICES:
        allowed = support.environment(services[name])["ALLOWED_HOSTS"].split(",")
        # Peers call `http://<service>:8000`; the image's health check sends Host: localhost.
        assert name in allowed
        assert "localhost" in allowed
    feed_env = support.environment(services["feed"])
    assert feed_env["USERS_SERVICE_URL"] == "http://users:8000"


def test_development_mounts_the_source_and_reloads():
    services = support.load_compose("dev")["services"]
    for name in support.SERVICES:
        spec = services[name]
        binds = {
            m["source"]: m["target"] for m in support.volume_mounts(spec) if m["type"] == "bind"
        }
        assert binds[f"./services/{name}"] == "/app"
        assert binds["./shared/src"] == "/opt/shared/src"
        assert support.environment(spec)["PYTHONPATH"] == "/opt/shared/src"
        assert spec["command"][:3] == ["python", "manage.py", "runserver"]
        assert support.environment(spec)["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    # DEBUG is on: the gateway is published on the loopback interface only.
    assert services["gateway"]["ports"] == ["127.0.0.1:8000:8000"]


def test_production_runs_gunicorn_with_prod_settings_and_no_source_mounts():
    services = support.load_compose("prod")["services"]
    for name, spec in services.items():
        mounts = support.volume_mounts(spec)
        assert [m for m in mounts if m["type"] == "bind"] == [], f"{name} mounts host files"
        assert spec.get("restart") in ("unless-stopped", "always", "no"), name
        if spec.get("restart") == "no":
            assert name in MIGRATIONS.values()
    for name in (*support.SERVICES, *EVENT_WORKERS, "trimmer", *MIGRATIONS.values()):
        env = support.environment(services[name])
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
        assert env["DEBUG"] == "false"
    for name in support.SERVICES:
        # The image's own command: gunicorn (tests/deploy/test_dockerfiles.py checks it).
        assert "command" not in services[name]
        assert services[name]["read_only"] is True


def test_production_env_template_lists_every_variable_the_prod_file_reads():
    template = dict(
        line.split("=", 1)
        for line in support.ENV_TEMPLATE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    read = {
        name for name, _ in support.variable_references(support.COMPOSE_FILES["prod"].read_text())
    }
    assert read - template.keys() == set()
    for name in support.operator_env():
        assert template[name] == "@generate@"
    # Optional settings, passed through only when set, are documented there commented out.
    documented = set(re.findall(r"^# ([A-Z][A-Z0-9_]*)=", support.ENV_TEMPLATE.read_text(), re.M))
    passed_through = support.pass_through_variables(support.load_compose("prod"))
    assert passed_through
    assert passed_through - documented == set()


@pytest.mark.parametrize("trusted_proxies", ["", "10.0.0.0/16, 192.0.2.7,2001:db8::/32"])
def test_rendered_gateway_configuration_is_accepted_by_nginx(tmp_path, trusted_proxies):
    """Render the templates as the nginx image does, with the prod environment, and `nginx -t`.

    The local nginx may predate `resolve` (1.27.3) and cannot resolve Compose's service names, so
    for the syntax check only the upstream servers point at loopback; everything else (sizes,
    rates, paths, the resolver file) is checked as rendered.
    """
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not shutil.which(nginx):
        pytest.skip("nginx is not installed (make setup installs it)")
    env = support.environment(support.load_compose("prod")["services"]["gateway"])
    env |= {
        "USERS_UPSTREAM": "127.0.0.1:1",
        "FEED_UPSTREAM": "127.0.0.1:2",
        "NOTIFICATIONS_UPSTREAM": "127.0.0.1:3",
    }
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    for template in support.GATEWAY_TEMPLATES:
        rendered = support.PLACEHOLDER.sub(
            lambda m: env.get(m.group(1), m.group(0)), template.read_text()
        )
        assert support.PLACEHOLDER.search(rendered) is None
        (conf_d / template.name.removesuffix(".template")).write_text(rendered)
    # The image's entrypoint runs it (as /docker-entrypoint.d/25-trusted-proxies.sh).
    subprocess.run(
        ["sh", str(support.TRUSTED_PROXIES_SCRIPT), str(conf_d / "trusted-proxies.conf")],
        env={**os.environ, "TRUSTED_PROXIES": trusted_proxies},
        check=True,
    )
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n"
        + "".join(
            f" {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f" include {conf_d}/*.conf;\n}}\n"
    )
    check = subprocess.run(
        [nginx, "-t", "-q", "-e", "stderr", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0, check.stderr


def test_gateway_templates_survive_the_nginx_images_envsubst():
    """The image's envsubst replaces `$NAME` as well as `${NAME}` for every variable set in the
    container (HOSTNAME, PATH, NGINX_VERSION...): only `${UPPER_CASE}` placeholders may look like
    shell variables; nginx's own are lower-case, and the native renderer knows only `${...}`."""
    for template in support.GATEWAY_TEMPLATES:
        text = template.read_text()
        assert re.findall(r"\$[A-Z_]", text) == [], template.name
        braced = re.findall(r"\$\{([^}]*)\}", text)
        assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in braced), braced


def seconds(duration: str) -> int:
    match = re.fullmatch(r"([0-9]+)s", duration)
    assert match, duration
    return int(match.group(1))


def test_production_stops_gracefully_before_docker_kills_anything():
    """SIGTERM (gunicorn) and SIGQUIT (nginx) let requests in flight finish: Docker must wait
    longer than gunicorn's graceful timeout and nginx's worker_shutdown_timeout."""
    import shared.gunicorn_conf

    services = support.load_compose("prod")["services"]
    for name in support.SERVICES:
        assert seconds(services[name]["stop_grace_period"]) > shared.gunicorn_conf.graceful_timeout
    main = (support.REPO / "gateway" / "docker" / "nginx.conf").read_text()
    shutdown = int(re.search(r"worker_shutdown_timeout ([0-9]+)s;", main).group(1))
    assert seconds(services["gateway"]["stop_grace_period"]) > shutdown
