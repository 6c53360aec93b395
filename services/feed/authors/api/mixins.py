"""View plumbing other apps' write endpoints share."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from authors.services import remember_author_from_token


class RememberCallerMixin:
    """Record the caller's username from their token whenever they write (POST, PUT, ...).

    Runs after authentication and permission checks, so only accepted writers are recorded;
    whatever they write can then be rendered with their name without asking the users service.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in SAFE_METHODS and request.user.is_authenticated:
            remember_author_from_token(request.user)
