"""Users service settings shared by every environment; `local`, `test` and `prod` adjust them."""

from pathlib import Path

# What every service sets alike: the URL conf and WSGI app, bigint keys, no slash redirects,
# the gateway's proxy headers, UTC and en-us, request ids. All else below is the users service's.
from shared.base_settings import *  # noqa: F403
from shared.env import env, read_env_file, require_secret
from shared.events.conf import event_settings
from shared.jwt import simple_jwt_settings
from shared.logging import logging_config
from shared.settings import (
    MIDDLEWARE_HEAD,
    MIDDLEWARE_TAIL,
    PERIODIC_JOBS as SHARED_PERIODIC_JOBS,
    THROTTLE_CLASSES as SHARED_THROTTLE_CLASSES,
    database,
    rest_framework,
    spectacular_settings,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REPO_DIR = BASE_DIR.parent.parent
read_env_file(env.str("ENV_FILE", default=str(REPO_DIR / ".env")))

# --- Core ------------------------------------------------------------------------------------
SECRET_KEY = require_secret("USERS_SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shared.throttling",
    "shared.idempotency",
    "shared.periodic",
    "shared.events",
    "accounts",
]

MIDDLEWARE = [
    *MIDDLEWARE_HEAD,
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    *MIDDLEWARE_TAIL,
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {"default": database("USERS_DATABASE_URL")}

# --- Auth ----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's default PBKDF2, bounded (accounts.hashers); the others verify hashes made before.
PASSWORD_HASHERS = [
    "accounts.hashers.BoundedPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# Password hashes (about 0.6 s of CPU each) running at once in one instance, whatever asks
# (log-in, the admin's form, password change, deletion): the other workers keep serving reads;
# a check that finds no slot free within the wait is a 503 with Retry-After (docs/security.md).
PASSWORD_CHECK_SLOTS = env.int("PASSWORD_CHECK_SLOTS", default=1)
PASSWORD_CHECK_WAIT_SECONDS = env.float("PASSWORD_CHECK_WAIT_SECONDS", default=0.0)
# Usernames nobody may sign up with, on top of accounts.usernames.RESERVED_USERNAMES.
RESERVED_USERNAMES = env.list("RESERVED_USERNAMES", default=[])
SIMPLE_JWT = simple_jwt_settings(
    ROTATE_REFRESH_TOKENS=True,
    BLACKLIST_AFTER_ROTATION=True,
)

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = rest_framework(
    DEFAULT_AUTHENTICATION_CLASSES=[
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    # The users service's own policies (views opt in with `throttle_scope`), per client
    # address or per user; THROTTLE_RATE_<SCOPE> overrides each. Generous defaults: the
    # end-to-end suite signs up many accounts from 127.0.0.1.
    DEFAULT_THROTTLE_RATES={
        "signup": "120/min",
        "token": "120/min",
        "token_refresh": "300/min",
        # Endpoints that check the caller's password (change it, delete the account).
        "password": "30/min",
        # Renames and avatar changes per user: each is an event for every consumer.
        "account_events": "60/hour",
    },
    DEFAULT_THROTTLE_CLASSES=[
        *SHARED_THROTTLE_CLASSES,
        "accounts.api.throttles.AccountEventsThrottle",
    ],
)

# --- Cross-service -------------------------------------------------------------------------
INTERNAL_API_TOKEN = require_secret("INTERNAL_API_TOKEN")

# --- Events (shared.events; the catalogue is docs/events.md) -------------------------------
# The users service produces account events and consumes none yet.
globals().update(event_settings(service="users"))
# Extra `/readyz` fields (shared.health): the broker and the outbox backlog.
READINESS_CHECKS = ["shared.events.health.readiness"]

# --- Files ---------------------------------------------------------------------------------
# Absolute URLs for avatars point at the gateway, which serves /media/ itself.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
MEDIA_URL = "/media/users/"
MEDIA_ROOT = env.path("USERS_MEDIA_ROOT", default=REPO_DIR / "var" / "media" / "users")
STATIC_URL = "/static/users/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# How many avatar uploads decode at once in one instance (shared.slots; docs/security.md).
IMAGE_WORK_SLOTS = env.int("IMAGE_WORK_SLOTS", default=1)
IMAGE_WORK_WAIT_SECONDS = env.float("IMAGE_WORK_WAIT_SECONDS", default=0.0)

# --- Upkeep (manage.py run_periodic_jobs; README: Upkeep) ---------------------------------
# The jobs every service runs; this service's own go here too.
PERIODIC_JOBS = {**SHARED_PERIODIC_JOBS}

# --- Logging -------------------------------------------------------------------------------
LOGGING = logging_config(service="users", level=env.str("LOG_LEVEL", default="INFO"))

# --- API docs ------------------------------------------------------------------------------
SPECTACULAR_SETTINGS = spectacular_settings(
    title="Users service API",
    description="Accounts, JWT auth, profiles, avatars and search.",
)
