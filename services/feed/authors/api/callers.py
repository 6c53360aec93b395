"""Who is calling: the caller's user id as the read endpoints of every app need it."""

from rest_framework.request import Request


def viewer_id(request: Request) -> int | None:
    """The caller's user id, or None for anonymous readers (for `liked_by_me`, `followed_by_me`)."""
    return request.user.id if request.user.is_authenticated else None
