"""Publishing and deleting a post: its rows, the author's `posts_count` and the inboxes."""

from collections.abc import Sequence

from django.db import transaction

from posts import services as posts
from posts.images import ProcessedImage
from posts.models import Post
from social.services import change_posts_count
from timeline.services import fan_out_post, withdraw_post


def create_post(
    *,
    author_id: int,
    title: str = "",
    body: str = "",
    images: Sequence[ProcessedImage] = (),
    alt_texts: Sequence[str] = (),
    comments_disabled: bool = False,
    hide_like_count: bool = False,
) -> Post:
    """Create a post with its images, count it, and put it in its author's inbox; the
    consumer copies it into the followers' (`timeline.services.fan_out_post`).

    Raises `ValidationError` for a post without content or with too many images, and
    `AccountDeleted` when the author's account is deleted.
    """
    with posts.creating_post(
        author_id=author_id,
        title=title,
        body=body,
        images=images,
        alt_texts=alt_texts,
        comments_disabled=comments_disabled,
        hide_like_count=hide_like_count,
    ) as post:
        fan_out_post(post=post)
        # Last: the author's counters row is locked by every follow of them too.
        change_posts_count(user_id=author_id, delta=1)
    return post


def delete_post(*, post: Post) -> None:
    """Delete the post with its images, likes and comments, uncount it and take it out of the
    inboxes; its files go after the commit. A post already gone is left as it is."""
    with transaction.atomic():
        if posts.remove_post(post=post):
            change_posts_count(user_id=post.author_id, delta=-1)
            withdraw_post(post=post)
