"""Settings helpers both services build their `config/settings/base.py` from."""

from typing import Any

from shared.env import env


def database(url_var: str) -> dict[str, Any]:
    """A `DATABASES` entry from the URL in `url_var`, with every wait bounded."""
    config = env.db_url(url_var)
    config["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    options = config.setdefault("OPTIONS", {})
    options["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT_SECONDS", default=5)
    # A runaway query must not pin a gunicorn worker past its own timeout.
    options["options"] = (
        f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', default=10_000)}"
    )
    return config


def rest_framework(**overrides: Any) -> dict[str, Any]:
    """`REST_FRAMEWORK` defaults common to both services."""
    config: dict[str, Any] = {
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": [
            "rest_framework.parsers.JSONParser",
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
    }
    config.update(overrides)
    return config


MIDDLEWARE_HEAD = [
    "shared.middleware.OptionalTrailingSlashMiddleware",
    "log_request_id.middleware.RequestIDMiddleware",
    "shared.logging.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
]

REQUEST_ID_SETTINGS = {
    "LOG_REQUEST_ID_HEADER": "HTTP_X_REQUEST_ID",
    "GENERATE_REQUEST_ID_IF_NOT_IN_HEADER": True,
    "REQUEST_ID_RESPONSE_HEADER": "X-Request-ID",
    "NO_REQUEST_ID": "none",
}
