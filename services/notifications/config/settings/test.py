"""Test settings: real Postgres (this service's database only), throwaway secrets."""

import os

# Tests get throwaway secrets unless the caller provides its own.
os.environ.setdefault("NOTIFICATIONS_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("JWT_SIGNING_KEY", "test-jwt-signing-key-" + "y" * 40)
os.environ.setdefault(
    "NOTIFICATIONS_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/notifications"
)

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
