"""Rate limits for both services: DRF throttles counted in Postgres, announced in IETF headers.

Install `shared.throttling` in INSTALLED_APPS (its counter table) and
`shared.throttling.middleware.RateLimitHeadersMiddleware` in MIDDLEWARE (the headers); the
throttle classes and rates come from `shared.settings.rest_framework`.
"""
