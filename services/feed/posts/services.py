"""Every write to posts."""

from django.db import transaction

from posts.models import Post


@transaction.atomic
def create_post(*, author_id: int, title: str = "", body: str = "") -> Post:
    return Post.objects.create(author_id=author_id, title=title, body=body)
