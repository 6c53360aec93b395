"""Every read of posts, likes and comments, built on one base queryset per aggregate."""

from django.db.models import BooleanField, Exists, OuterRef, Prefetch, QuerySet, Value
from rest_framework.exceptions import NotFound

from posts.models import Comment, Like, Post, PostImage

# Ids arrive from URLs as arbitrary digit strings; beyond bigint, Postgres would raise.
MAX_ID = 2**63 - 1


def _is_db_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def post_queryset(*, viewer_id: int | None = None) -> QuerySet[Post]:
    """Posts with everything the Post shape needs, at a fixed number of queries per page.

    One query for the posts (with `liked_by_me` as an EXISTS per row, false for anonymous
    viewers) and one for all their images; authors are looked up per page by the serializer
    (`posts.api.serializers.PostSerializer`, one query). Order and slice it as needed.
    """
    queryset = Post.objects.prefetch_related(
        Prefetch("images", queryset=PostImage.objects.order_by("post_id", "position"))
    )
    if viewer_id is None:
        liked = Value(False, output_field=BooleanField())
    else:
        liked = Exists(Like.objects.filter(post_id=OuterRef("pk"), user_id=viewer_id))
    return queryset.annotate(liked_by_me=liked)


def get_post(post_id: int, *, viewer_id: int | None = None) -> Post:
    """The post with everything the Post shape needs; `NotFound` when there is none."""
    if not _is_db_id(post_id):
        raise NotFound("No post with that id.")
    try:
        return post_queryset(viewer_id=viewer_id).get(pk=post_id)
    except Post.DoesNotExist:
        raise NotFound("No post with that id.") from None


def get_post_for_write(post_id: int) -> Post:
    """The bare post row (no images, no annotations), for services that change it."""
    if not _is_db_id(post_id):
        raise NotFound("No post with that id.")
    try:
        return Post.objects.get(pk=post_id)
    except Post.DoesNotExist:
        raise NotFound("No post with that id.") from None


def ensure_post_exists(post_id: int) -> None:
    """`NotFound` unless the post exists: the 404 of the likes and comments lists."""
    if not _is_db_id(post_id) or not Post.objects.filter(pk=post_id).exists():
        raise NotFound("No post with that id.")


def user_posts(user_id: int, *, viewer_id: int | None = None) -> QuerySet[Post]:
    """A user's posts; paginate on ("-created_at", "-id") (index posts_author_recent)."""
    if not _is_db_id(user_id):
        return Post.objects.none()
    return post_queryset(viewer_id=viewer_id).filter(author_id=user_id)


def post_likes(post_id: int) -> QuerySet[Like]:
    """A post's likes; paginate on ("-created_at", "-id") (index likes_post_recent)."""
    return Like.objects.filter(post_id=post_id).only("id", "user_id", "created_at")


def comment_queryset() -> QuerySet[Comment]:
    return Comment.objects.all()


def post_comments(post_id: int) -> QuerySet[Comment]:
    """A post's comments; paginate on ("created_at", "id") (index comments_post_oldest)."""
    return comment_queryset().filter(post_id=post_id)


def get_comment(comment_id: int) -> Comment:
    """The comment with its post (whose author may delete it too); `NotFound` when none."""
    if not _is_db_id(comment_id):
        raise NotFound("No comment with that id.")
    try:
        return comment_queryset().select_related("post").get(pk=comment_id)
    except Comment.DoesNotExist:
        raise NotFound("No comment with that id.") from None
