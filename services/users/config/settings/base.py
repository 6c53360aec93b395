"""Users service settings shared by every environment; `local`, `test` and `prod` adjust them."""

from datetime import timedelta
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
    "blocks",
    "mailer",
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
# Reset links live an hour (Django's default is three days); verification and email-change
# links three days. Every token dies early once used (accounts.tokens).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
EMAIL_TOKEN_MAX_AGE = env.int("EMAIL_TOKEN_MAX_AGE", default=3 * 24 * 60 * 60)
# On: writes by accounts whose address is not verified are 403 (shared.auth), in every service.
REQUIRE_VERIFIED_EMAIL = env.bool("REQUIRE_VERIFIED_EMAIL", default=False)
# Failed sign-ins per email (accounts.signin_limits), whatever the client's address: past the
# limit every sign-in for that email is 429 until the window, opened by the first failure, ends.
# --- The Mastodon-compatible API (docs/mastodon.md) ---------------------------------------
PROJECT_VERSION = "1.0"
INSTANCE_TITLE = env.str("INSTANCE_TITLE", default="social")
INSTANCE_DESCRIPTION = env.str("INSTANCE_DESCRIPTION", default="An Instagram-style social network.")
INSTANCE_CONTACT_EMAIL = env.str("INSTANCE_CONTACT_EMAIL", default="")
INSTANCE_SOURCE_URL = env.str("INSTANCE_SOURCE_URL", default="")
# The access tokens Mastodon client apps get (the password grant): they cannot refresh, so they
# last until revoked or this long (docs/mastodon.md).
APP_TOKEN_LIFETIME = timedelta(days=env.int("APP_TOKEN_LIFETIME_DAYS", default=365))
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=15 * 60)
SIMPLE_JWT = simple_jwt_settings(
    ROTATE_REFRESH_TOKENS=True,
    BLACKLIST_AFTER_ROTATION=True,
)

# --- REST framework ------------------------------------------------------------------------
# The users service's own policies, per client address or per user (views opt in with
# `throttle_scope`), and per email address a message goes to (accounts.api.throttles). What a
# public deployment should run with; `local` and the test and benchmark stacks loosen them.
# THROTTLE_RATE_<SCOPE> overrides each.
THROTTLE_RATES = {
    "signup": "10/hour",
    "token": "30/min",
    "token_refresh": "300/min",
    # Endpoints that check the caller's password (change it, change the email, delete).
    "password": "30/min",
    "password_reset": "20/hour",
    "password_reset_address": "5/hour",
    "email_verification": "20/hour",
    "email_verification_address": "5/hour",
    # Renames and avatar changes per user: each is an event for every consumer.
    "account_events": "60/hour",
    # Every POST, PUT, PATCH and DELETE (shared.settings), per user.
    "writes": "300/min",
}
REST_FRAMEWORK = rest_framework(
    DEFAULT_AUTHENTICATION_CLASSES=["accounts.authentication.AccountJWTAuthentication"],
    DEFAULT_THROTTLE_RATES=THROTTLE_RATES,
    DEFAULT_THROTTLE_CLASSES=[
        *SHARED_THROTTLE_CLASSES,
        "accounts.api.throttles.AccountEventsThrottle",
    ],
)

# --- Cross-service -------------------------------------------------------------------------
INTERNAL_API_TOKEN = require_secret("INTERNAL_API_TOKEN")

# --- Events (shared.events; the catalogue is docs/events.md) -------------------------------
# The users service produces account events, and consumes its own mail requests: its queue
# `users.events` is bound to exactly these types.
globals().update(event_settings(service="users"))
EVENT_HANDLERS = {
    "users.mail.requested": "config.events.queue_requested_mail",
    # Blocks live in the feed; profiles are hidden from the accounts their owner blocks.
    "feed.block.created": "config.events.apply_block",
    "feed.block.deleted": "config.events.apply_block",
}
# Extra `/readyz` fields (shared.health): the broker and the outbox backlog.
READINESS_CHECKS = ["shared.events.health.readiness", "mailer.selectors.readiness"]

# --- Mail (mailer/: queued in the request's transaction, sent by `manage.py send_mail`) ------
# EMAIL_URL (smtp://host:25; smtp+tls://user:password@host:587 for STARTTLS, smtp+ssl://...:465
# for TLS from the start) or the EMAIL_* variables, which win over it. The native stack points it
# at its local sink.
_EMAIL = env.email_url("EMAIL_URL", default="smtp://localhost:25")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default=_EMAIL["EMAIL_HOST"])
EMAIL_PORT = env.int("EMAIL_PORT", default=_EMAIL["EMAIL_PORT"])
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default=_EMAIL["EMAIL_HOST_USER"] or "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default=_EMAIL["EMAIL_HOST_PASSWORD"] or "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=_EMAIL.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=_EMAIL.get("EMAIL_USE_SSL", False))
# A server that accepts the connection and then says nothing must not hold the mailer forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="social <no-reply@localhost>")
MAIL_SITE_NAME = env.str("MAIL_SITE_NAME", default="social")
# Turns a queued message into an email, or None to skip it (mailer/sender.py).
MAIL_RENDERER = "accounts.mail.render"
MAIL_BATCH_SIZE = env.int("MAIL_BATCH_SIZE", default=20)
MAIL_POLL_INTERVAL_SECONDS = env.float("MAIL_POLL_INTERVAL_SECONDS", default=0.5)
MAIL_RETRY_BASE_SECONDS = env.float("MAIL_RETRY_BASE_SECONDS", default=2.0)
MAIL_RETRY_MAX_SECONDS = env.float("MAIL_RETRY_MAX_SECONDS", default=300.0)
MAIL_RETENTION_DAYS = env.int("MAIL_RETENTION_DAYS", default=7)
MAIL_PRUNE_INTERVAL_SECONDS = env.int("MAIL_PRUNE_INTERVAL_SECONDS", default=600)

# --- Files ---------------------------------------------------------------------------------
# Absolute URLs for avatars point at the gateway, which serves /media/ itself.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# The client app that mailed links open (`/reset-password?uid=..&token=..` and the like).
FRONTEND_URL = env.str("FRONTEND_URL", default=PUBLIC_BASE_URL)
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
