"""Every read of posts."""

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from posts.models import Post


def post_queryset() -> QuerySet[Post]:
    return Post.objects.all()


def get_post(post_id: int) -> Post:
    try:
        return post_queryset().get(pk=post_id)
    except Post.DoesNotExist:
        raise NotFound("No post with that id.") from None
