"""Request plumbing both services need before URL resolution."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class OptionalTrailingSlashMiddleware:
    """Let `/api/v1/posts/` resolve like `/api/v1/posts`, as the contract promises.

    URL patterns are written without the slash; this strips one from API paths only, so the
    Django admin keeps its own slash-appending behaviour.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if len(path) > 1 and path.endswith("/") and path.startswith(("/api/", "/internal/")):
            request.path_info = path.rstrip("/") or "/"
        return self.get_response(request)


# For the pages a service renders as HTML (the Django admin): everything from this origin, never
# framed, no plugins. Django 5.2 has no CSP of its own; the API docs page sets a stricter one.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Give every HTML response that has no Content-Security-Policy of its own the one above."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if html and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response
