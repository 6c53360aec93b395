"""Read the IETF RateLimit fields back, strictly enough to catch a malformed one."""

import re

_ITEM = re.compile(
    r'^"(?P<name>[\x20-\x21\x23-\x5b\x5d-\x7e]+)"(?P<params>(;[a-z][a-z0-9_.*-]*=\d+)*)$'
)


def parse(field: str) -> dict[str, dict[str, int]]:
    """`"a";q=1;w=2, "b";r=3` -> {"a": {"q": 1, "w": 2}, "b": {"r": 3}}; AssertionError if bad."""
    items: dict[str, dict[str, int]] = {}
    for raw in field.split(","):
        match = _ITEM.match(raw.strip())
        assert match, f"not a structured-field item: {raw!r}"
        params = match["params"].split(";")[1:]
        items[match["name"]] = {k: int(v) for k, v in (p.split("=") for p in params)}
    return items
