"""The deployment files, read the way their own tools read them, for tests that need no engine.

Compose files are interpolated like Compose does (`${VAR}`, `${VAR:-default}`, `${VAR:?error}`,
`$$`); Dockerfiles are parsed by BuildKit's own parser (the `dockerfile` package); `.dockerignore`
patterns are matched with Docker's rules; gateway templates are rendered like the nginx image's
envsubst step (only variables that are set are replaced).
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from pathlib import Path
from typing import Any

import dockerfile
import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("users", "feed", "notifications")
# The services that store uploads and have static files for the gateway to serve (admin, docs).
MEDIA_SERVICES = ("users", "feed")
COMPOSE_FILES = {"dev": REPO / "docker-compose.yml", "prod": REPO / "docker-compose-prod.yml"}
DOCKERFILES = {
    "users": REPO / "services" / "users" / "Dockerfile",
    "feed": REPO / "services" / "feed" / "Dockerfile",
    "notifications": REPO / "services" / "notifications" / "Dockerfile",
    "gateway": REPO / "gateway" / "Dockerfile",
}
K8S_DIR = REPO / "deploy" / "k8s"
EC2_DIR = REPO / "deploy" / "ec2"
ENV_TEMPLATE = EC2_DIR / "env.template"

# The templates the gateway image renders at start (gateway/Dockerfile copies both).
GATEWAY_TEMPLATES = (
    REPO / "gateway" / "templates" / "gateway.conf.template",
    REPO / "gateway" / "docker" / "resolver.conf.template",
)
# Run by the image's entrypoint beside the templates (TRUSTED_PROXIES), and by the native stack.
TRUSTED_PROXIES_SCRIPT = REPO / "gateway" / "docker" / "trusted-proxies.sh"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")

# Secret names: what the settings demand through require_secret(), plus the database passwords.
SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|SIGNING_KEY)")


def template_placeholders() -> set[str]:
    return {name for path in GATEWAY_TEMPLATES for name in PLACEHOLDER.findall(path.read_text())}


def required_secrets(service: str) -> set[str]:
    """Every `require_secret("NAME")` the service's settings (and the shared package) make."""
    sources = [*(REPO / "services" / service / "config").rglob("*.py")]
    sources += [*(REPO / "shared" / "src" / "shared").rglob("*.py")]
    pattern = re.compile(r"require_secret\(\s*\"([A-Z0-9_]+)\"")
    names = {name for path in sources for name in pattern.findall(path.read_text())}
    return names - {"NAME"}


# --- Compose -------------------------------------------------------------------------------------

INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariableError(KeyError):
    """A `${VAR:?message}` whose variable is unset: Compose refuses to start."""


def interpolate(text: str, env: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        value = env.get(name)
        if op in (":?", "?"):
            if value is None or (op == ":?" and value == ""):
                raise MissingVariableError(f"{name}: {arg}")
            return value
        if op == ":-":
            return value if value else arg
        if op == "-":
            return arg if value is None else value
        if op == ":+":
            return arg if value else ""
        if op == "+":
            return "" if value is None else arg
        return value or ""

    return INTERPOLATION.sub(substitute, text)


def pass_through_variables(compose: dict[str, Any]) -> set[str]:
    """Environment keys written without a value: Compose takes them from .env when set there."""
    return {
        key
        for service in compose["services"].values()
        for key, value in (service.get("environment") or {}).items()
        if value is None
    }


def variable_references(text: str) -> list[tuple[str, str | None]]:
    """(name, operator) for every variable a Compose file reads."""
    return [
        (m.group("braced") or m.group("bare"), m.group("op"))
        for m in INTERPOLATION.finditer(text)
        if not m.group("escaped")
    ]


def _interpolate_tree(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolate_tree(value, env) for value in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


@cache
def operator_env() -> dict[str, str]:
    """What an operator's `.env` holds: one fresh value per secret, nothing else."""
    names = {
        "USERS_SECRET_KEY",
        "FEED_SECRET_KEY",
        "NOTIFICATIONS_SECRET_KEY",
        "JWT_SIGNING_KEY",
        "INTERNAL_API_TOKEN",
        "USERS_DB_PASSWORD",
        "FEED_DB_PASSWORD",
        "NOTIFICATIONS_DB_PASSWORD",
        "BROKER_PASSWORD",
    }
    return {name: secrets.token_urlsafe(48) for name in sorted(names)}


def load_compose(kind: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The file as Compose sees it after YAML anchors/merges and interpolation."""
    raw = yaml.safe_load(COMPOSE_FILES[kind].read_text())
    return _interpolate_tree(raw, operator_env() if env is None else env)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    # A key without a value is passed through from .env only when set there.
    return {key: str(value) for key, value in env.items() if value is not None}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency name -> condition (the short list form means service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def volume_mounts(service: dict[str, Any]) -> list[dict[str, Any]]:
    """Volumes in the long form: type (bind/volume), source, target, read_only."""
    mounts = []
    for item in service.get("volumes") or []:
        if isinstance(item, dict):
            mounts.append(item)
            continue
        parts = item.split(":")
        source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
        kind = "bind" if source and source.startswith((".", "/", "~")) else "volume"
        read_only = len(parts) > 2 and "ro" in parts[2].split(",")
        mounts.append({"type": kind, "source": source, "target": target, "read_only": read_only})
    return mounts


def networks(service: dict[str, Any]) -> set[str]:
    nets = service.get("networks") or ["default"]
    return set(nets)


# --- Dockerfiles ---------------------------------------------------------------------------------


def dockerfile_commands(name: str) -> tuple[dockerfile.Command, ...]:
    return dockerfile.parse_file(str(DOCKERFILES[name]))


def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) per line of the root .dockerignore, in order."""
    patterns = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line.lstrip("!").strip().strip("/")
        patterns.append((exception, re.compile(_glob_to_regex(pattern))))
    return patterns


def _glob_to_regex(pattern: str) -> str:
    """Docker's filepath.Match plus `**` (any number of directories), anchored."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "^" + "".join(out) + "$"


def dockerignored(path: str) -> bool:
    """Whether Docker leaves `path` (relative to the repository root) out of the build context.

    Like Docker, a pattern that matches a parent folder matches everything under it, and the last
    matching pattern decides.
    """
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for exception, regex in dockerignore_patterns():
        if any(regex.match(candidate) for candidate in candidates):
            excluded = not exception
    return excluded


# --- Kubernetes ----------------------------------------------------------------------------------


def k8s_documents(*, include_templates: bool = False) -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        if path.name.endswith(".template.yaml") and not include_templates:
            continue
        docs += [(path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def k8s_find(kind: str, name: str) -> dict[str, Any]:
    for _, doc in k8s_documents(include_templates=True):
        if doc["kind"] == kind and doc["metadata"]["name"] == name:
            return doc
    raise LookupError(f"no {kind} named {name} under deploy/k8s")


WORKLOAD_KINDS = ("Deployment", "Job", "CronJob")


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return workload["spec"]["template"]["spec"]
