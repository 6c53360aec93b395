"""`Idempotency-Key` for every unsafe request of a service: the first response is kept and replayed.

Install `shared.idempotency` in INSTALLED_APPS (its table) and
`shared.idempotency.middleware.IdempotencyMiddleware` last in MIDDLEWARE. The rules, the
storage and the clean-up are described in `middleware.py` and in the README ("Retries").
"""
