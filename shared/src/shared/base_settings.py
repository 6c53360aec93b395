"""The settings every service sets alike, and only those: each `config/settings/base.py`
starts from them (`from shared.base_settings import *`) and sets everything else itself.

Constants only, no environment reads: this module is imported before a service loads its env
file. A setting that one service sets otherwise belongs in that service's file, not here.
"""

# --- Core ------------------------------------------------------------------------------------
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Paths resolve as written, never redirected to add a slash: the contract's have none, and
# OptionalTrailingSlashMiddleware strips one from API paths.
APPEND_SLASH = False

# --- Proxy: the gateway is the one proxy in front of every service ---------------------------
USE_X_FORWARDED_HOST = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- I18N / time -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Request ids (django-log-request-id; every log line carries one) -------------------------
# The gateway's X-Request-ID is trusted (nginx sets it on every request); without one, a fresh id.
LOG_REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
GENERATE_REQUEST_ID_IF_NOT_IN_HEADER = True
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"
NO_REQUEST_ID = "none"
