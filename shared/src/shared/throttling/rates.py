"""Rates as settings write them ("100/min", "5/10s") and the env overrides applied to them.

Pure Python: the settings modules import it before Django is set up.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from shared.env import env

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|m|min|h|hour|d|day)\s*$")
# An env value that switches a policy off.
_OFF = {"", "off", "none", "unlimited"}


@dataclass(frozen=True)
class Rate:
    """`limit` requests per `window` seconds."""

    limit: int
    window: int


def parse_rate(rate: str) -> Rate:
    """Parse DRF's "N/period" form, plus an optional period multiplier ("20/10s", "1000/2h")."""
    match = _RATE.match(rate)
    if not match:
        raise ImproperlyConfigured(f"Invalid throttle rate {rate!r}; expected e.g. '100/min'.")
    limit, multiplier, unit = int(match[1]), int(match[2] or 1), match[3]
    window = multiplier * _UNITS[unit]
    if limit < 1 or window < 1:
        raise ImproperlyConfigured(f"Invalid throttle rate {rate!r}: both parts must be >= 1.")
    return Rate(limit=limit, window=window)


def throttle_rates(rates: Mapping[str, str | None]) -> dict[str, str | None]:
    """Return `rates` with `THROTTLE_RATE_<SCOPE>` environment overrides applied and checked.

    An override of "off" (or "none", "unlimited", empty) disables that policy.
    """
    resolved: dict[str, str | None] = {}
    for scope, default in rates.items():
        name = "THROTTLE_RATE_" + re.sub(r"[^A-Z0-9]", "_", scope.upper())
        value = env.str(name, default=default if default is not None else "off")
        if value.strip().lower() in _OFF:
            resolved[scope] = None
            continue
        parse_rate(value)  # fail at start-up, not on the first throttled request
        resolved[scope] = value.strip()
    return resolved
