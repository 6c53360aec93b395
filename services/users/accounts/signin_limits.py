"""Failed sign-ins counted per email, whatever the client's address (the API's and the admin's).

`LOGIN_FAILURE_LIMIT` failures for one email within `LOGIN_FAILURE_WINDOW` seconds (the window
opens at the first failure) lock that email's sign-in until the window ends: right password or
not, account or not, so an attacker spread over many addresses gets no more tries, and the
answer says nothing about whether the account exists. Counts live in the rate-limit counters'
table (`shared.throttling.counters`), shared by every worker and replica.
"""

import hashlib
import math
import time

from django.conf import settings
from rest_framework.exceptions import Throttled

from shared.throttling import counters


class SignInLocked(Throttled):
    """429 with `Retry-After`: too many failed sign-ins for this email."""

    default_detail = "Too many failed sign-ins for this email address; try again later."
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."
    default_code = "sign_in_locked"


def _key(email: str) -> str:
    # A digest: the table holds no addresses, and any input fits the key column.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"signin-failures:{digest}"


def reserve_attempt(email: str) -> None:
    """Count a sign-in attempt for `email` as failed until `attempt_succeeded` says otherwise.

    Counting before the password is checked makes the limit exact under concurrency: of many
    attempts at once, only `LOGIN_FAILURE_LIMIT` get to check a password. Raises `SignInLocked`
    once the limit is reached.
    """
    now = time.time()
    hit = counters.hit_from_first(_key(email), settings.LOGIN_FAILURE_WINDOW, now=now)
    if hit.count > settings.LOGIN_FAILURE_LIMIT:
        raise SignInLocked(wait=max(1, math.ceil(hit.window_end - now)))


def attempt_succeeded(email: str) -> None:
    """The reserved attempt signed in: it is not a failure."""
    counters.release(_key(email))
