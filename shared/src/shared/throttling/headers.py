"""The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11).

    RateLimit-Policy: "writes";q=600;w=60        the policy: q units per w seconds
    RateLimit: "writes";r=598;t=41                what is left: r units for the next t seconds

Both are Structured Field lists (RFC 9651) whose items are strings naming the policy.
"""

from collections.abc import Iterable

from shared.throttling.throttles import Quota


def sf_string(value: str) -> str:
    """Serialize `value` as a Structured Field string."""
    if any(ord(ch) < 0x20 or ord(ch) > 0x7E for ch in value):
        raise ValueError(f"{value!r} is not printable ASCII")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def policy_field(quotas: Iterable[Quota]) -> str:
    return ", ".join(f"{sf_string(q.policy)};q={q.limit};w={q.window}" for q in quotas)


def limit_field(quotas: Iterable[Quota]) -> str:
    return ", ".join(f"{sf_string(q.policy)};r={q.remaining};t={q.reset}" for q in quotas)
