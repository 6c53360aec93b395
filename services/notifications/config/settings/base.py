"""Notifications service settings shared by every environment; `local`, `test` and `prod`
adjust them."""

from pathlib import Path

from shared.env import env, read_env_file, require_secret
from shared.jwt import simple_jwt_settings
from shared.logging import logging_config

# Settings alike in every service are written once in shared.settings and named here
# (`X as X`: exported on purpose, for Django to read).
from shared.settings import (
    GENERATE_REQUEST_ID_IF_NOT_IN_HEADER as GENERATE_REQUEST_ID_IF_NOT_IN_HEADER,
    LOG_REQUEST_ID_HEADER as LOG_REQUEST_ID_HEADER,
    MIDDLEWARE_HEAD,
    NO_REQUEST_ID as NO_REQUEST_ID,
    REQUEST_ID_RESPONSE_HEADER as REQUEST_ID_RESPONSE_HEADER,
    database,
    rest_framework,
    spectacular_settings,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REPO_DIR = BASE_DIR.parent.parent
read_env_file(env.str("ENV_FILE", default=str(REPO_DIR / ".env")))

# --- Core ------------------------------------------------------------------------------------
SECRET_KEY = require_secret("NOTIFICATIONS_SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No users table here either: callers are the JWT's claims (shared.auth.ServiceUser), and
# everything known about other users arrives as events (actors, notifications).
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shared.throttling",
    "shared.idempotency",
    "actors",
    "notifications",
]

MIDDLEWARE = [
    *MIDDLEWARE_HEAD,
    "django.middleware.common.CommonMiddleware",
    # DRF views are CSRF-exempt (JWT in a header, no cookies); these keep any plain Django view
    # protected and `check --deploy` clean.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, in this order: the RateLimit headers wrap idempotent replays, and the idempotency
    # middleware must read the raw body before anything parses it.
    "shared.throttling.middleware.RateLimitHeadersMiddleware",
    "shared.idempotency.middleware.IdempotencyMiddleware",
]
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {"default": database("NOTIFICATIONS_DATABASE_URL")}

# --- Auth ----------------------------------------------------------------------------------
# Tokens are verified here with the shared key; the users service is never asked.
SIMPLE_JWT = simple_jwt_settings(TOKEN_USER_CLASS="shared.auth.ServiceUser")  # noqa: S106

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = rest_framework(
    # The shared stateless check, plus: tokens of accounts deleted in the users service are 401.
    DEFAULT_AUTHENTICATION_CLASSES=["actors.authentication.NotificationsJWTAuthentication"],
    DEFAULT_PERMISSION_CLASSES=["rest_framework.permissions.IsAuthenticated"],
)

# --- Files ---------------------------------------------------------------------------------
STATIC_URL = "/static/notifications/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The largest body here is a settings PATCH of eight booleans.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

# --- Proxy ---------------------------------------------------------------------------------
USE_X_FORWARDED_HOST = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- I18N / time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging (request ids: shared.settings, imported above) --------------------------------
LOGGING = logging_config(service="notifications", level=env.str("LOG_LEVEL", default="INFO"))

# --- API docs ------------------------------------------------------------------------------
SPECTACULAR_SETTINGS = spectacular_settings(
    title="Notifications service API",
    description="The activity feed: who liked, commented, replied, mentioned or followed.",
)
