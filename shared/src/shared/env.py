"""One environment reader for both services, plus the fail-fast checks the settings use."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

MIN_SECRET_BYTES = 32


def read_env_file(path: Path | str | None) -> None:
    """Load `path` into the environment if it exists; real environment variables win."""
    if path and Path(path).is_file():
        environ.Env.read_env(str(path), overwrite=False)


def require_secret(name: str, *, min_bytes: int = MIN_SECRET_BYTES) -> str:
    """Return the secret `name`; refuse to start when it is missing or too short."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set.")
    if len(value.encode()) < min_bytes:
        raise ImproperlyConfigured(f"{name} must be at least {min_bytes} bytes long.")
    return value


def non_negative_int(name: str, *, default: int) -> int:
    """The integer setting `name` (0 allowed, e.g. to turn something off); refuse a negative."""
    value = env.int(name, default=default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more, not {value}.")
    return value
