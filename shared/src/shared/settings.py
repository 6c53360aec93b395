"""Settings helpers both services build their `config/settings/base.py` from: each takes the
service's own values (`shared.base_settings` holds what every service sets alike).

Nothing here reads the environment when imported: each `base.py` loads its env file first, and
only then calls the helpers.
"""

from typing import Any

from shared.env import env
from shared.throttling.rates import throttle_rates

# --- Middleware: what every service runs first and last; each lists its own in between -------
MIDDLEWARE_HEAD = [
    # Outermost: times everything below it, and answers GET /metrics before host validation.
    "shared.metrics.MetricsMiddleware",
    # Before anything reads X-Forwarded-* or X-Request-Start: only the gateway may send them.
    "shared.middleware.TrustedProxyMiddleware",
    "shared.middleware.OptionalTrailingSlashMiddleware",
    "log_request_id.middleware.RequestIDMiddleware",
    "shared.logging.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shared.middleware.ContentSecurityPolicyMiddleware",
    # Logged like any other answer: a request that queued past its deadline is not run.
    "shared.middleware.RequestDeadlineMiddleware",
]
# Last, in this order: the RateLimit headers wrap idempotent replays, and the idempotency
# middleware must read the raw body before anything parses it.
MIDDLEWARE_TAIL = [
    "shared.throttling.middleware.RateLimitHeadersMiddleware",
    "shared.idempotency.middleware.IdempotencyMiddleware",
]

# The throttles every service runs (a service with one of its own lists these first).
THROTTLE_CLASSES = [
    "shared.throttling.throttles.ScopedRateThrottle",
    "shared.throttling.throttles.WriteRateThrottle",
    "shared.throttling.throttles.UploadRateThrottle",
]

# Policies every service has; a service adds its own scopes in DEFAULT_THROTTLE_RATES. What a
# public deployment should run with; THROTTLE_RATE_<SCOPE> changes each per deployment.
DEFAULT_THROTTLE_RATES = {
    # Every POST, PUT, PATCH and DELETE, per user (per client address when anonymous).
    "writes": "300/min",
    # Every upload (a multipart POST, PUT or PATCH: post images, avatars), per user.
    "uploads": "120/hour",
}
# What the native stack's `local` settings and the test settings loosen: the end-to-end suite
# and the benchmark drive everything from 127.0.0.1, through a handful of accounts each.
LOCAL_THROTTLE_RATES = {
    "writes": "6000/min",
}

# Upkeep every service runs (shared.periodic): management command -> seconds between runs. A
# service adds its own jobs to its PERIODIC_JOBS; every way of running the stack picks them up.
PERIODIC_JOBS = {
    "purge_idempotency_keys": 3600,
    "purge_rate_limit_counters": 3600,
}


def database(url_var: str) -> dict[str, Any]:
    """A `DATABASES` entry from the URL in `url_var`, with every wait bounded."""
    config = env.db_url(url_var)
    # Django's PostgreSQL backend, with a health check that costs no round trip.
    config["ENGINE"] = "shared.postgres"
    config["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    options = config.setdefault("OPTIONS", {})
    options["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT_SECONDS", default=5)
    # A runaway query must not pin a gunicorn worker past its own timeout.
    # plan_cache_mode applies only to prepared statements (`shared.prepared`): they are written
    # to have one good plan whatever their parameters (page sizes as literals), and by default
    # Postgres goes on planning a statement at every execution when its generic plan's estimate
    # looks dearer than the custom plans' (up to 1 ms a timeline page), which is what preparing
    # it is meant to save.
    options["options"] = (
        f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', default=10_000)}"
        " -c plan_cache_mode=force_generic_plan"
    )
    return config


def rest_framework(**overrides: Any) -> dict[str, Any]:
    """`REST_FRAMEWORK` defaults common to both services."""
    config: dict[str, Any] = {
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": [
            "shared.parsers.JSONParser",
            "rest_framework.parsers.MultiPartParser",
            "rest_framework.parsers.FormParser",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
        "DEFAULT_PAGINATION_CLASS": "shared.pagination.KeysetPagination",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "shared.errors.api_exception_handler",
        "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
        "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
        "PAGE_SIZE": 20,
        # Rate limits (shared.throttling): counted in Postgres per caller, announced in the IETF
        # RateLimit-Policy / RateLimit headers. Views opt into a policy with `throttle_scope`.
        "DEFAULT_THROTTLE_CLASSES": list(THROTTLE_CLASSES),
        # The services sit behind exactly one proxy, the gateway: the client's address is the
        # last X-Forwarded-For entry, the one nginx appended (a client cannot forge it).
        "NUM_PROXIES": env.int("NUM_PROXIES", default=1),
    }
    config.update(overrides)
    config["DEFAULT_THROTTLE_RATES"] = throttle_rates(
        {**DEFAULT_THROTTLE_RATES, **overrides.get("DEFAULT_THROTTLE_RATES", {})}
    )
    return config


def with_throttle_rates(config: dict[str, Any], rates: dict[str, str]) -> dict[str, Any]:
    """`config` (a `REST_FRAMEWORK`) with `rates` as the defaults of those policies.

    THROTTLE_RATE_<SCOPE> still wins over them, as it does over the base settings' rates.
    """
    current = config["DEFAULT_THROTTLE_RATES"]
    return {**config, "DEFAULT_THROTTLE_RATES": throttle_rates({**current, **rates})}


def spectacular_settings(*, title: str, description: str) -> dict:
    """`SPECTACULAR_SETTINGS` for a service: its title, and the hooks in `shared.apidocs`."""
    return {
        "TITLE": title,
        "DESCRIPTION": description,
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "COMPONENT_SPLIT_REQUEST": True,
        # `<id:...>` (shared.ids) is an integer in the documents, as Django's `<int:...>` is.
        "PATH_CONVERTER_OVERRIDES": {"id": int},
        # Operation ids and tags from what follows /api/ (v1_posts_...), also now that the
        # Mastodon-compatible paths under /mastodon/ are beside them (tagged `mastodon`).
        "SCHEMA_PATH_PREFIX": "/api/",
        "PREPROCESSING_HOOKS": ["shared.apidocs.public_endpoints_only"],
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "shared.apidocs.document_common_errors",
        ],
    }


# --- Production: what every service's `config/settings/prod.py` checks and sets alike -------
def production(
    *, debug: bool, allowed_hosts: list[str], broker_url: str, public_base_url: str
) -> dict[str, Any]:
    """Refuse to start a misconfigured production process; return the settings prod.py sets.

    Every service consumes or publishes events, so a missing broker is as fatal as DEBUG on.
    """
    from django.core.exceptions import ImproperlyConfigured

    if debug:
        raise ImproperlyConfigured("DEBUG must be off in production.")
    if not allowed_hosts:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
    if not broker_url:
        raise ImproperlyConfigured("BROKER_URL must be set in production.")
    # TLS terminates in front of the gateway, which passes the client's scheme on when the load
    # balancer is one of its TRUSTED_PROXIES: request.is_secure() is then the client's view, and
    # Django sends HSTS on exactly the responses a client got over HTTPS. The cookies' Secure
    # flag follows the public URL: a plain-HTTP deployment (PUBLIC_BASE_URL http://...) must be
    # able to log in to the admin.
    public_https = public_base_url.startswith("https://")
    return {
        "SECURE_SSL_REDIRECT": env.bool("SECURE_SSL_REDIRECT", default=True),
        # Probes, scrapes and service-to-service calls reach the pods directly, over plain HTTP.
        "SECURE_REDIRECT_EXEMPT": [r"^healthz$", r"^readyz$", r"^metrics$", r"^internal/"],
        "SESSION_COOKIE_SECURE": env.bool("SECURE_COOKIES", default=public_https),
        "CSRF_COOKIE_SECURE": env.bool("SECURE_COOKIES", default=public_https),
        "SECURE_HSTS_SECONDS": env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "CSRF_TRUSTED_ORIGINS": env.list("CSRF_TRUSTED_ORIGINS", default=[]),
    }
