"""Test settings: real Postgres, fast hashing, no real email."""

import os

# Tests get throwaway secrets unless the caller provides its own.
os.environ.setdefault("USERS_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("JWT_SIGNING_KEY", "test-jwt-signing-key-" + "y" * 40)
os.environ.setdefault("INTERNAL_API_TOKEN", "test-internal-token-" + "z" * 40)
os.environ.setdefault("USERS_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/users")
# The test runner (deploy/local/stack.py test) starts a throwaway RabbitMQ node and sets this; by
# default it names a port that refuses connections at once.
os.environ.setdefault("BROKER_URL", "amqp://guest:guest@127.0.0.1:9/")

from shared.settings import with_throttle_rates

from .base import *  # noqa: F403
from .local import LOCAL_USERS_THROTTLE_RATES

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests sign up and sign in from one client address; tests of a limit set their own rates.
REST_FRAMEWORK = with_throttle_rates(REST_FRAMEWORK, LOCAL_USERS_THROTTLE_RATES)  # noqa: F405
