"""OpenAPI schema and the Swagger UI page that shows both services' schemas.

Each service serves its own schema at `/api/schema` (the gateway exposes them as
`/api/schema/users`, `/api/schema/feed` and `/api/schema/notifications`); the users service also
serves `/api/docs/`, a Swagger UI whose drop-down picks one of them. Its assets come from
drf-spectacular-sidecar through the users service's static files, never from a CDN.
"""

import base64
import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme

SCHEMAS = [
    {"url": "/api/schema/users", "name": "users service"},
    {"url": "/api/schema/feed", "name": "feed service"},
    {"url": "/api/schema/notifications", "name": "notifications service"},
]

# The page's one inline script. validatorUrl null: Swagger UI would otherwise send the schema's
# address to validator.swagger.io from any host but localhost.
SCRIPT = f"""
    window.ui = SwaggerUIBundle({{
      urls: {json.dumps(SCHEMAS)},
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout",
    }});
  """

# The page loads and talks to its own origin only: scripts are the local assets and the inline
# script above (by its hash), never a CDN, a validator or anything injected. Swagger UI sets
# inline styles and draws its icons from data: URIs.
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"script-src 'self' 'sha256-{_SCRIPT_HASH}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <link rel="icon" href="{assets}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="{assets}/swagger-ui-standalone-preset.js"></script>
  <script>{script}</script>
</body>
</html>
"""


# Nothing to protect from cross-site requests (it only reads), and exempt, a POST gets the 405
# below rather than a CSRF 403.
@csrf_exempt
def swagger_ui(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        # As DRF answers on every API path (`require_GET` would send an empty HTML 405).
        refused = JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
        refused["Allow"] = "GET"
        return refused
    assets = static("drf_spectacular_sidecar/swagger-ui-dist").rstrip("/")
    title = escape(getattr(settings, "API_DOCS_TITLE", "Social API"))
    html = PAGE.format(title=title, assets=assets, script=SCRIPT)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def public_endpoints_only(endpoints: list[tuple], **kwargs: object) -> list[tuple]:
    """drf-spectacular preprocessing hook: leave out /internal/ and benchmark-only paths."""
    return [
        endpoint
        for endpoint in endpoints
        if not endpoint[0].startswith("/internal/") and "/_" not in endpoint[0]
    ]


class StatelessJWTScheme(SimpleJWTScheme):
    """Document `shared.auth.StatelessJWTAuthentication` (and subclasses) as bearer JWT.

    Defined here, beside the preprocessing hook the settings name, so that it is registered
    before drf-spectacular looks up authentication extensions.
    """

    target_class = "shared.auth.StatelessJWTAuthentication"
    match_subclasses = True


# Errors any operation can answer, as the contract's conventions list them: the services'
# validation, authentication, throttling and idempotency layers and the gateway all speak them.
_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# 400 is either {"detail": ...} or DRF's field errors: {"field": ["message", ...], ...}.
_VALIDATION_ERROR = {"type": "object", "additionalProperties": {}}
# The Mastodon-compatible API's errors (shared.mastodon): `{"error": ...}` from the services
# (OAuth's with `error_description`), `{"detail": ...}` from the gateway itself.
_MASTODON_ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "error_description": {"type": "string"},
        "details": {"type": "object", "additionalProperties": {}},
        "detail": {"type": "string"},
    },
    "anyOf": [{"required": ["error"]}, {"required": ["detail"]}],
}
_COMMON_ERRORS = {
    "400": ("ValidationError", "Invalid input: field errors, or `detail`."),
    "401": ("Error", "Missing, invalid or expired access token."),
    "403": ("Error", "Not allowed for this caller."),
    "404": ("Error", "No such resource."),
    "414": ("Error", "Request URI too long (answered by the gateway)."),
    "429": ("Error", "Rate limited; see `Retry-After`."),
    "503": ("Error", "A service this request depends on is unavailable."),
}
_UNSAFE_ERRORS = {
    "409": ("Error", "A request with this `Idempotency-Key` is still running; retry later."),
    "413": ("Error", "Request body too large."),
    "415": ("Error", "Unsupported media type."),
    "422": ("Error", "This `Idempotency-Key` was used with a different request."),
}


def document_common_errors(result: dict, **kwargs: object) -> dict:
    """drf-spectacular postprocessing hook: add the error responses every operation can give."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", _ERROR)
    schemas.setdefault("ValidationError", _VALIDATION_ERROR)
    schemas.setdefault("MastodonError", _MASTODON_ERROR)
    for path, operations in result.get("paths", {}).items():
        mastodon = path.startswith("/mastodon/")
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            errors = dict(_COMMON_ERRORS)
            if method != "get":
                errors.update(_UNSAFE_ERRORS)
            if mastodon:
                errors = {code: ("MastodonError", text) for code, (_, text) in errors.items()}
            responses = operation.setdefault("responses", {})
            for code, (schema, description) in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result


class AccountJWTScheme(SimpleJWTScheme):
    """Document subclasses of simplejwt's `JWTAuthentication` (the users service's) the same way."""

    target_class = "rest_framework_simplejwt.authentication.JWTAuthentication"
    match_subclasses = True
