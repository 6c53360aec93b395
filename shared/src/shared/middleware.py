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
