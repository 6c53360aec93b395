"""SimpleJWT settings both services must agree on: algorithm, key, issuer, audience, claims.

The users service signs with these settings, the feed service verifies with them; keeping them in
one function means the two can never drift apart.
"""

from datetime import timedelta
from typing import Any

from shared.env import env, require_secret

JWT_ISSUER_DEFAULT = "social-users"
JWT_AUDIENCE_DEFAULT = "social-api"


def simple_jwt_settings(**overrides: Any) -> dict[str, Any]:
    """Build `SIMPLE_JWT` from the environment; the signing key must be at least 32 bytes."""
    settings = {
        "ALGORITHM": "HS256",
        "SIGNING_KEY": require_secret("JWT_SIGNING_KEY"),
        "VERIFYING_KEY": None,
        # simplejwt only checks `iss` and `aud` when both are configured.
        "ISSUER": env.str("JWT_ISSUER", default=JWT_ISSUER_DEFAULT),
        "AUDIENCE": env.str("JWT_AUDIENCE", default=JWT_AUDIENCE_DEFAULT),
        "ACCESS_TOKEN_LIFETIME": timedelta(
            seconds=env.int("JWT_ACCESS_TOKEN_LIFETIME_SECONDS", default=15 * 60)
        ),
        "REFRESH_TOKEN_LIFETIME": timedelta(
            seconds=env.int("JWT_REFRESH_TOKEN_LIFETIME_SECONDS", default=7 * 24 * 3600)
        ),
        "AUTH_HEADER_TYPES": ("Bearer",),
        # Every claim's type and range checked before anything reads it (shared.tokens).
        "AUTH_TOKEN_CLASSES": ("shared.tokens.AccessToken",),
        "USER_ID_FIELD": "id",
        "USER_ID_CLAIM": "user_id",
        "LEEWAY": 5,
        "UPDATE_LAST_LOGIN": False,
    }
    settings.update(overrides)
    return settings
