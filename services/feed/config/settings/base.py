"""Feed service settings shared by every environment; `local`, `test` and `prod` adjust them."""

from pathlib import Path

# What every service sets alike: the URL conf and WSGI app, bigint keys, no slash redirects,
# the gateway's proxy headers, UTC and en-us, request ids. All else below is the feed service's.
from shared.base_settings import *  # noqa: F403
from shared.env import env, non_negative_int, read_env_file, require_secret
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
SECRET_KEY = require_secret("FEED_SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

# The API's callers are the JWT's claims (shared.auth.ServiceUser); Django's user table holds
# only the admin's stand-ins for staff members (moderation.staff).
INSTALLED_APPS = [
    # The admin of moderation.admin.site, without autodiscovery of Django's default site.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its index expressions: an operator class in a functional index (post search's trigrams).
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shared.throttling",
    "shared.idempotency",
    "shared.periodic",
    "shared.events",
    "shared.revocation",
    "authors",
    "relationships",
    "posts",
    "social",
    "timeline",
    "saved",
    "moderation",
    "discovery",
    "mastodon_api",
    "benchmark",
]

MIDDLEWARE = [
    *MIDDLEWARE_HEAD,
    # Sessions, users and messages are the admin's; all three are lazy, so an API request
    # (no admin cookie) never reads a session.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # DRF views are CSRF-exempt (JWT in a header, no cookies); these keep any plain Django view
    # (the admin) protected and `check --deploy` clean.
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
            ]
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {"default": database("FEED_DATABASE_URL")}
# Post search's trigram candidates (posts.selectors, docs/discovery.md): pg_trgm's default of
# 0.6 finds almost nothing in short Korean text, whose words make few trigrams ("맛집" and
# "서울맛집" are 0.33 alike); the search then keeps only texts that hold the word itself.
DATABASES["default"]["OPTIONS"]["options"] += " -c pg_trgm.word_similarity_threshold=0.3"

# --- Auth ----------------------------------------------------------------------------------
# Tokens are verified here with the shared key; the users service is never asked.
SIMPLE_JWT = simple_jwt_settings(TOKEN_USER_CLASS="shared.auth.ServiceUser")  # noqa: S106
# Each process asks the database once per token whether it is refused, not once per request,
# and forgets the answer when a refusal concerns the user (shared.revocation.accepted).
TOKEN_CHECK_CACHE = env.bool("TOKEN_CHECK_CACHE", default=True)
# On: writes by accounts whose access token says their email is unverified are 403 (shared.auth).
REQUIRE_VERIFIED_EMAIL = env.bool("REQUIRE_VERIFIED_EMAIL", default=False)

# The admin (/admin/feed/): staff sign in through the users service (moderation.staff); no
# password is ever checked here. Its cookies are its own, on its own path, so they never meet
# the users service's admin cookies on the same host.
AUTHENTICATION_BACKENDS = ["moderation.staff.StaffSessionBackend"]
SESSION_COOKIE_NAME = "feed_admin_session"
SESSION_COOKIE_PATH = "/admin/feed/"
CSRF_COOKIE_NAME = "feed_admin_csrftoken"
CSRF_COOKIE_PATH = "/admin/feed/"

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = rest_framework(
    # The shared stateless check, plus: tokens of accounts deleted in the users service are 401.
    DEFAULT_AUTHENTICATION_CLASSES=["authors.authentication.FeedJWTAuthentication"],
)

# --- Cross-service -------------------------------------------------------------------------
INTERNAL_API_TOKEN = require_secret("INTERNAL_API_TOKEN")
USERS_SERVICE_URL = env.str("USERS_SERVICE_URL", default="http://127.0.0.1:8001")
USERS_SERVICE_TIMEOUT_SECONDS = env.float("USERS_SERVICE_TIMEOUT_SECONDS", default=2.0)

# --- Events (shared.events; the catalogue is docs/events.md) -------------------------------
globals().update(event_settings(service="feed"))
# What the feed's consumer applies: its queue `feed.events` is bound to exactly these types.
EVENT_HANDLERS = {
    "users.account.created": "config.events.apply_account",
    "users.account.updated": "config.events.apply_account",
    "users.account.deleted": "config.events.apply_account",
    # Ended sign-ins, whose tokens the authentication refuses from then on (shared.revocation).
    **REVOCATION_EVENT_HANDLERS,
    # Its own: a post's fan-out to the followers' inboxes, batch by batch (timeline.events).
    "feed.fanout.post": "config.events.fan_out_post",
    "feed.fanout.refill": "config.events.refill_author",
}
# Extra `/readyz` fields (shared.health): the broker, the outbox, the queue and dead letters.
READINESS_CHECKS = ["shared.events.health.readiness"]

# --- Content rules -------------------------------------------------------------------------
# A word list added to the profanity list that ships with posts/ (same format); empty for none.
PROFANITY_EXTRA_WORDS_FILE = env.str("PROFANITY_EXTRA_WORDS_FILE", default="")

# --- Hot reads -----------------------------------------------------------------------------
# Posts kept rendered per worker process (posts.api.rendering), each ~0.5-5 KB: title, body,
# images and timestamps, keyed by (id, updated_at). 0 turns the cache off.
RENDERED_POSTS_CACHE_SIZE = non_negative_int("RENDERED_POSTS_CACHE_SIZE", default=10_000)
# How many days of every home timeline the inboxes keep (timeline.models): the trimmer deletes
# older entries, and a fill copies this much. Pages inside what the inboxes are marked complete
# for read one inbox range; older pages merge the followees' posts. 0 turns the reads off (every
# page merged). After raising it, `manage.py fill_timeline_inboxes` extends what is trusted.
TIMELINE_INBOX_DAYS = non_negative_int("TIMELINE_INBOX_DAYS", default=21)
# Hybrid fan-out (timeline.services; docs/timeline-query.md): an account with at most this many
# followers has its posts copied into its followers' inboxes by the event consumer, in batches
# of FANOUT_BATCH_SIZE followers (one transaction each); a larger one is not fanned out, and its
# posts are merged into its followers' pages when they are read. Back under 90% of it, an
# account is fanned out again.
FANOUT_MAX_FOLLOWERS = non_negative_int("FANOUT_MAX_FOLLOWERS", default=10_000)
FANOUT_BATCH_SIZE = env.int("FANOUT_BATCH_SIZE", default=1_000)

# --- Discovery (docs/discovery.md) ----------------------------------------------------------
# How many days back explore's posts and the trending tags reach.
EXPLORE_DAYS = non_negative_int("EXPLORE_DAYS", default=7)
# Suggested accounts sample the graph: the caller's newest SUGGESTION_FOLLOWEES follows, and of
# each of those their newest SUGGESTION_FANOUT, so a page costs at most their product of rows.
SUGGESTION_FOLLOWEES = non_negative_int("SUGGESTION_FOLLOWEES", default=100)
SUGGESTION_FANOUT = non_negative_int("SUGGESTION_FANOUT", default=100)
# Seconds between recounts of the trending tags (a periodic job).
TRENDING_TAGS_REFRESH_SECONDS = non_negative_int("TRENDING_TAGS_REFRESH_SECONDS", default=300)
# A read of them recounts them itself when the last count is older than this (the job is late);
# local development sets 0: every read counts afresh.
TRENDING_TAGS_MAX_AGE_SECONDS = non_negative_int("TRENDING_TAGS_MAX_AGE_SECONDS", default=900)

# --- Benchmark ---------------------------------------------------------------------------
# Routes the framework-floor reference view that `make bench` measures; off everywhere else.
BENCHMARK_ENDPOINTS = env.bool("BENCHMARK_ENDPOINTS", default=False)

# --- Files ---------------------------------------------------------------------------------
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
MEDIA_URL = "/media/feed/"
MEDIA_ROOT = env.path("FEED_MEDIA_ROOT", default=REPO_DIR / "var" / "media" / "feed")
STATIC_URL = "/static/feed/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# What one post's images may cost to decode (docs/security.md): pixels per image (the contract's
# 40 megapixels at most), pixels over all the images of one request, and how many requests
# decode images at once in one instance (the other workers keep serving reads; one that finds no
# slot free within the wait is a 503 with Retry-After).
POST_IMAGE_MAX_PIXELS = env.int("POST_IMAGE_MAX_PIXELS", default=40_000_000)
POST_IMAGE_PIXEL_BUDGET = env.int("POST_IMAGE_PIXEL_BUDGET", default=100_000_000)
IMAGE_WORK_SLOTS = env.int("IMAGE_WORK_SLOTS", default=1)
IMAGE_WORK_WAIT_SECONDS = env.float("IMAGE_WORK_WAIT_SECONDS", default=0.0)

# --- Upkeep (manage.py run_periodic_jobs; README: Upkeep) ---------------------------------
# The jobs every service runs; this service's own go here too.
PERIODIC_JOBS = {
    **SHARED_PERIODIC_JOBS,
    "prune_ended_sessions": 3600,
    "refresh_trending_tags": TRENDING_TAGS_REFRESH_SECONDS,
    "prune_pending_media": 3600,
}

# --- The Mastodon-compatible API (docs/mastodon.md) ---------------------------------------
# Media uploaded for a status that never came is deleted after this long.
PENDING_MEDIA_MAX_AGE = env.int("PENDING_MEDIA_MAX_AGE_SECONDS", default=24 * 3600)
MASTODON_DEFAULT_AVATAR_URL = env.str(
    "MASTODON_DEFAULT_AVATAR_URL",
    default=PUBLIC_BASE_URL.rstrip("/") + "/static/feed/mastodon/avatar.png",
)
MASTODON_DEFAULT_HEADER_URL = env.str(
    "MASTODON_DEFAULT_HEADER_URL",
    default=PUBLIC_BASE_URL.rstrip("/") + "/static/feed/mastodon/header.png",
)

# --- Logging -------------------------------------------------------------------------------
LOGGING = logging_config(service="feed", level=env.str("LOG_LEVEL", default="INFO"))

# --- API docs ------------------------------------------------------------------------------
SPECTACULAR_SETTINGS = spectacular_settings(
    title="Feed service API",
    description="Posts, images, likes, comments, follows, stats and the home timeline.",
)
