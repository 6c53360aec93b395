"""Notifications service settings shared by every environment; `local`, `test` and `prod`
adjust them."""

from pathlib import Path

# What every service sets alike: the URL conf and WSGI app, bigint keys, no slash redirects,
# the gateway's proxy headers, UTC and en-us, request ids. All else below is this service's.
from shared.base_settings import *  # noqa: F403
from shared.env import env, read_env_file, require_secret
from shared.events.conf import event_settings
from shared.jwt import simple_jwt_settings
from shared.logging import logging_config
from shared.revocation.conf import EVENT_HANDLERS as REVOCATION_EVENT_HANDLERS
from shared.settings import (
    MIDDLEWARE_HEAD,
    MIDDLEWARE_TAIL,
    PERIODIC_JOBS as SHARED_PERIODIC_JOBS,
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
    "shared.periodic",
    "shared.events",
    "shared.revocation",
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
    *MIDDLEWARE_TAIL,
]

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
# Each process asks the database once per token whether it is refused, not once per request,
# and forgets the answer when a refusal concerns the user (shared.revocation.accepted).
TOKEN_CHECK_CACHE = env.bool("TOKEN_CHECK_CACHE", default=True)

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = rest_framework(
    # The shared stateless check, plus: tokens of accounts deleted in the users service are 401.
    DEFAULT_AUTHENTICATION_CLASSES=["actors.authentication.NotificationsJWTAuthentication"],
    # Every endpoint here reads or changes the caller's own notifications.
    DEFAULT_PERMISSION_CLASSES=["rest_framework.permissions.IsAuthenticated"],
)

# --- Events (shared.events; the catalogue is docs/events.md) -------------------------------
# Everything this service knows arrives here: its queue `notifications.events` is bound to
# exactly these types (config/events.py turns each into a call of a service function).
globals().update(event_settings(service="notifications"))
EVENT_HANDLERS = {
    event_type: f"config.events.{handler}"
    for event_type, handler in {
        "users.account.created": "apply_account",
        "users.account.updated": "apply_account",
        "users.account.deleted": "apply_account",
        "feed.post.liked": "apply_post_liked",
        "feed.post.unliked": "apply_post_unliked",
        "feed.post.deleted": "apply_post_deleted",
        "feed.post.created": "apply_post_mentions",
        "feed.post.updated": "apply_post_mentions",
        "feed.comment.created": "apply_comment_created",
        "feed.comment.deleted": "apply_comment_deleted",
        "feed.follow.created": "apply_follow_created",
        "feed.follow.deleted": "apply_follow_deleted",
        # Published once the feed has comment likes, follow requests, blocks and mutes
        # (docs/events.md names their payloads); bound already, so none is missed.
        "feed.comment.liked": "apply_comment_liked",
        "feed.comment.unliked": "apply_comment_unliked",
        "feed.follow_request.created": "apply_follow_request_created",
        "feed.follow_request.withdrawn": "apply_follow_request_closed",
        "feed.follow_request.rejected": "apply_follow_request_closed",
        "feed.follow_request.accepted": "apply_follow_request_accepted",
        "feed.block.created": "apply_block_created",
        "feed.block.deleted": "apply_block_deleted",
        "feed.mute.created": "apply_mute_created",
        "feed.mute.deleted": "apply_mute_deleted",
    }.items()
}
# Ended sign-ins, whose tokens the authentication refuses from then on (shared.revocation).
EVENT_HANDLERS.update(REVOCATION_EVENT_HANDLERS)
# Extra `/readyz` fields (shared.health): the broker, the queue and its dead letters.
READINESS_CHECKS = ["shared.events.health.readiness"]

# --- Files ---------------------------------------------------------------------------------
# The address clients reach the gateway at (prod's cookie flags follow its scheme).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
STATIC_URL = "/static/notifications/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The largest body here is a settings PATCH of eight booleans.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

# --- Upkeep (manage.py run_periodic_jobs; README: Upkeep) ---------------------------------
# The jobs every service runs; this service's own go here too.
PERIODIC_JOBS = {
    **SHARED_PERIODIC_JOBS,
    "prune_action_states": 3600,
    "prune_ended_sessions": 3600,
}
# Undone actions are remembered this long against late events (as long as applied event ids).
ACTION_STATE_RETENTION_DAYS = env.int("ACTION_STATE_RETENTION_DAYS", default=30)

# --- Logging -------------------------------------------------------------------------------
LOGGING = logging_config(service="notifications", level=env.str("LOG_LEVEL", default="INFO"))

# --- API docs ------------------------------------------------------------------------------
SPECTACULAR_SETTINGS = spectacular_settings(
    title="Notifications service API",
    description="The activity feed: who liked, commented, replied, mentioned or followed.",
)
