"""The password hasher, bounded: at most `PASSWORD_CHECK_SLOTS` hashes at once per instance.

A PBKDF2 hash costs about 0.6 s of CPU by design, and anyone can ask for one (a wrong password
at the token endpoint or the admin's login form, a sign-up; an unknown email is hashed too, so
that it takes as long). Every hash and every check goes through the hasher, so bounding it here
bounds them all (shared.slots): a check that finds every slot taken for longer than
`PASSWORD_CHECK_WAIT_SECONDS` is a 503 with Retry-After, and the other workers keep answering.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from shared.slots import work_slot


def _slot() -> Any:
    return work_slot(
        "passwords",
        slots=settings.PASSWORD_CHECK_SLOTS,
        wait_seconds=settings.PASSWORD_CHECK_WAIT_SECONDS,
    )


class BoundedPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 (same algorithm name, so every stored hash still verifies), bounded."""

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        with _slot():
            return super().encode(password, salt, iterations)
