"""Object permissions for posts and comments (checked on the object a selector returned)."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from posts.models import Comment


class IsAuthorOrReadOnly(BasePermission):
    """Anyone reads; only the author changes or deletes."""

    message = "Only the post's author may change or delete it."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.method in SAFE_METHODS or obj.author_id == request.user.id


class IsCommentOrPostAuthor(BasePermission):
    """A comment may be deleted by whoever wrote it and by the author of the post it is on."""

    message = "Only the comment's author or the post's author may delete it."

    def has_object_permission(self, request: Request, view: Any, obj: Comment) -> bool:
        return request.user.id in (obj.author_id, obj.post.author_id)
