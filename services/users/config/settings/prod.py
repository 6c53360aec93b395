"""Production settings: refuses to start with DEBUG on, short secrets or no ALLOWED_HOSTS."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, BROKER_URL, DEBUG, PUBLIC_BASE_URL, env

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
if not BROKER_URL:
    raise ImproperlyConfigured("BROKER_URL must be set in production.")

# TLS terminates in front of the gateway, which passes the client's scheme on when the load
# balancer is one of its TRUSTED_PROXIES: request.is_secure() is then the client's view, and
# Django sends HSTS on exactly the responses a client got over HTTPS. The cookies' Secure flag
# follows the public URL: a plain-HTTP deployment (PUBLIC_BASE_URL http://...) must be able to
# log in to the admin.
PUBLIC_HTTPS = PUBLIC_BASE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes, scrapes and service-to-service calls reach the pods directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$", r"^internal/"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PUBLIC_HTTPS)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PUBLIC_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
