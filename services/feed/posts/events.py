"""The events the feed publishes about posts, likes and comments (docs/events.md has their
payloads), each recorded in the transaction that makes the change.

Each carries what a consumer needs to act on it alone, without asking the feed: whom it
concerns (the post's author) and who acted, as the user summary the replica holds. Likes and a
post's deletion share the post's sequence (aggregate `feed.post`), a comment's creation and
deletion the comment's (`feed.comment`), so a consumer can tell which came last.
"""

from authors.client import UserSummary
from authors.selectors import replica_summaries, unknown_user_summary
from posts.models import Comment, Post
from shared.events.outbox import record_event

POST_CREATED = "feed.post.created"
POST_UPDATED = "feed.post.updated"
POST_LIKED = "feed.post.liked"
POST_UNLIKED = "feed.post.unliked"
POST_DELETED = "feed.post.deleted"
COMMENT_CREATED = "feed.comment.created"
COMMENT_DELETED = "feed.comment.deleted"
COMMENT_LIKED = "feed.comment.liked"
COMMENT_UNLIKED = "feed.comment.unliked"


def user_summary(user_id: int) -> UserSummary:
    """The acting user as the replica holds them (one query)."""
    return replica_summaries([user_id]).get(user_id) or unknown_user_summary(user_id)


def _post_state(post: Post) -> dict:
    return {"author": user_summary(post.author_id), "mentioned_user_ids": post.mentioned_user_ids}


def record_post_created(*, post: Post) -> None:
    """Call inside the transaction that created the post."""
    record_event(type=POST_CREATED, aggregate_id=post.pk, payload=_post_state(post))


def record_post_updated(*, post: Post) -> None:
    """Call inside the transaction that edited the post: the mentions as they now are (all of
    them, not what changed, so that the newest event says it all)."""
    record_event(type=POST_UPDATED, aggregate_id=post.pk, payload=_post_state(post))


def record_post_liked(*, post: Post, user_id: int) -> None:
    """Call inside the transaction that created the like."""
    record_event(
        type=POST_LIKED,
        aggregate_id=post.pk,
        payload={"post_author_id": post.author_id, "user": user_summary(user_id)},
    )


def record_post_unliked(*, post_id: int, user_id: int) -> None:
    """Call inside the transaction that removed the like."""
    record_event(type=POST_UNLIKED, aggregate_id=post_id, payload={"user_id": user_id})


def record_post_deleted(*, post: Post) -> None:
    """Call inside the transaction that deleted the post (its likes and comments went with it)."""
    record_event(type=POST_DELETED, aggregate_id=post.pk, payload={"author_id": post.author_id})


def record_comment_created(
    *, comment: Comment, post: Post, parent_author_id: int | None = None
) -> None:
    """Call inside the transaction that created the comment; `parent_author_id` is the author
    of the comment it replies to (which may be a reply, where `parent_id` is the top-level
    comment it is filed under)."""
    record_event(
        type=COMMENT_CREATED,
        aggregate_id=comment.pk,
        payload={
            "post_id": post.pk,
            "post_author_id": post.author_id,
            "author": user_summary(comment.author_id),
            "parent_id": comment.parent_id,
            "parent_author_id": parent_author_id,
            "mentioned_user_ids": comment.mentioned_user_ids,
        },
    )


def record_comment_deleted(*, comment_id: int, post_id: int) -> None:
    """Call inside the transaction that deleted the comment (a reply too, when its top-level
    comment was deleted)."""
    record_event(type=COMMENT_DELETED, aggregate_id=comment_id, payload={"post_id": post_id})


def record_comment_liked(*, comment: Comment, user_id: int) -> None:
    """Call inside the transaction that created the comment's like."""
    record_event(
        type=COMMENT_LIKED,
        aggregate_id=comment.pk,
        payload={
            "post_id": comment.post_id,
            "comment_author_id": comment.author_id,
            "user": user_summary(user_id),
        },
    )


def record_comment_unliked(*, comment_id: int, user_id: int) -> None:
    """Call inside the transaction that removed the comment's like."""
    record_event(type=COMMENT_UNLIKED, aggregate_id=comment_id, payload={"user_id": user_id})
