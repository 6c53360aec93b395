"""Write each service's Dockerfile from the one template: `make dockerfiles`.

The service images differ only in the service's name (its paths, and its settings' prefix in the
environment: USERS_SECRET_KEY, FEED_MEDIA_ROOT...) and in what else runs from the image; all the
rest is written once, in service.Dockerfile.in. Each service keeps a whole Dockerfile of its own,
so that `docker build -f services/<name>/Dockerfile .`, hadolint and a reader need nothing else.
`--check` exits 1 when a committed Dockerfile is not its template's rendering (tests/deploy runs
the same check).
"""

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TEMPLATE = HERE / "service.Dockerfile.in"
# What differs between the images, besides the name: the processes that share each one.
ALSO_RUNS = {
    "users": "event relay",
    "feed": "event workers, inbox trimmer",
    "notifications": "event consumer",
}
_TOKEN = re.compile(r"@(service|SERVICE|also)@")


def dockerfile_path(service: str) -> Path:
    return REPO / "services" / service / "Dockerfile"


def render(service: str) -> str:
    """The Dockerfile of `service`: the template with its name and description filled in."""
    values = {"service": service, "SERVICE": service.upper(), "also": ALSO_RUNS[service]}
    return _TOKEN.sub(lambda match: values[match[1]], TEMPLATE.read_text())


def stale() -> list[Path]:
    """The committed Dockerfiles that are not their template's rendering."""
    return [
        dockerfile_path(service)
        for service in ALSO_RUNS
        if not dockerfile_path(service).is_file()
        or dockerfile_path(service).read_text() != render(service)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale Dockerfiles")
    args = parser.parse_args(argv)
    if args.check:
        differing = stale()
        for path in differing:
            template = TEMPLATE.relative_to(REPO)
            print(f"{path.relative_to(REPO)} is not {template} rendered: run `make dockerfiles`")
        return 1 if differing else 0
    for service in ALSO_RUNS:
        dockerfile_path(service).write_text(render(service))
    return 0


if __name__ == "__main__":
    sys.exit(main())
