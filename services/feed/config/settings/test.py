"""Test settings: real Postgres, fast hashing, no real email."""

import os

# Tests get throwaway secrets unless the caller provides its own.
os.environ.setdefault("FEED_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("JWT_SIGNING_KEY", "test-jwt-signing-key-" + "y" * 40)
os.environ.setdefault("INTERNAL_API_TOKEN", "test-internal-token-" + "z" * 40)
os.environ.setdefault("FEED_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/feed")
# The test runner (deploy/local/stack.py test) starts a throwaway RabbitMQ node and sets this; by
# default it names a port that refuses connections at once.
os.environ.setdefault("BROKER_URL", "amqp://guest:guest@127.0.0.1:9/")

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# A test's writes never commit, so they never notify the cache of accepted tokens
# (shared.revocation.accepted): every request asks, as the tests of refusals expect.
TOKEN_CHECK_CACHE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests never reach a real users service: this port refuses connections at once. Tests that need
# one start a local stand-in and point USERS_SERVICE_URL at it.
USERS_SERVICE_URL = "http://127.0.0.1:9"
