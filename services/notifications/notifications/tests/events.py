"""Actions as the feed reports them, applied through the service functions the handlers call.

Each helper takes the next sequence number of its aggregate unless it is given one, as the
producer's outbox would; tests of out-of-order delivery pass them explicitly.
"""

from collections import Counter
from datetime import datetime

from django.utils import timezone

from actors.services import ActorSummary
from notifications import services

_sequences: Counter[str] = Counter()


def next_sequence(aggregate: str) -> int:
    _sequences[aggregate] += 1
    return _sequences[aggregate]


def user(user_id: int, username: str | None = None, avatar_url: str | None = None) -> ActorSummary:
    return ActorSummary(id=user_id, username=username or f"user{user_id}", avatar_url=avatar_url)


def like(
    *,
    post_id: int,
    author_id: int,
    user_id: int,
    sequence: int | None = None,
    at: datetime | None = None,
) -> None:
    services.apply_like(
        sequence=sequence or next_sequence(f"post:{post_id}"),
        post_id=post_id,
        post_author_id=author_id,
        user=user(user_id),
        occurred_at=at or timezone.now(),
    )


def unlike(*, post_id: int, user_id: int, sequence: int | None = None) -> None:
    services.apply_unlike(
        sequence=sequence or next_sequence(f"post:{post_id}"), post_id=post_id, user_id=user_id
    )


def post_mentions(
    *, post_id: int, author_id: int, mentioned: tuple[int, ...], sequence: int | None = None
) -> None:
    """A post created or edited: `feed.post.created|updated`."""
    services.apply_post_mentions(
        sequence=sequence or next_sequence(f"post:{post_id}"),
        post_id=post_id,
        author=user(author_id),
        mentioned_user_ids=mentioned,
        occurred_at=timezone.now(),
    )


def delete_post(*, post_id: int, sequence: int | None = None) -> None:
    services.apply_post_deleted(
        sequence=sequence or next_sequence(f"post:{post_id}"), post_id=post_id
    )


def comment(
    *,
    comment_id: int,
    post_id: int,
    post_author_id: int,
    user_id: int,
    parent_author_id: int | None = None,
    mentioned: tuple[int, ...] = (),
    sequence: int | None = None,
) -> None:
    services.apply_comment(
        sequence=sequence or next_sequence(f"comment:{comment_id}"),
        comment_id=comment_id,
        post_id=post_id,
        post_author_id=post_author_id,
        author=user(user_id),
        occurred_at=timezone.now(),
        parent_author_id=parent_author_id,
        mentioned_user_ids=mentioned,
    )


def delete_comment(*, comment_id: int, sequence: int | None = None) -> None:
    services.apply_comment_deleted(
        sequence=sequence or next_sequence(f"comment:{comment_id}"), comment_id=comment_id
    )


def like_comment(*, comment_id: int, post_id: int, author_id: int, user_id: int) -> None:
    services.apply_comment_like(
        sequence=next_sequence(f"comment:{comment_id}"),
        comment_id=comment_id,
        post_id=post_id,
        comment_author_id=author_id,
        user=user(user_id),
        occurred_at=timezone.now(),
    )


def follow(
    *, follower_id: int, followee_id: int, sequence: int | None = None, at: datetime | None = None
) -> None:
    services.apply_follow(
        sequence=sequence or next_sequence(f"follow:{follower_id}"),
        follower=user(follower_id),
        followee_id=followee_id,
        occurred_at=at or timezone.now(),
    )


def unfollow(*, follower_id: int, followee_id: int, sequence: int | None = None) -> None:
    services.apply_unfollow(
        sequence=sequence or next_sequence(f"follow:{follower_id}"),
        follower_id=follower_id,
        followee_id=followee_id,
    )


def block(*, blocker_id: int, blocked_id: int) -> None:
    services.apply_block(
        sequence=next_sequence(f"block:{blocker_id}"), blocker_id=blocker_id, blocked_id=blocked_id
    )


def mute(*, muter_id: int, muted_id: int) -> None:
    services.apply_mute(
        sequence=next_sequence(f"mute:{muter_id}"), muter_id=muter_id, muted_id=muted_id
    )


def unmute(*, muter_id: int, muted_id: int) -> None:
    services.apply_unmute(
        sequence=next_sequence(f"mute:{muter_id}"), muter_id=muter_id, muted_id=muted_id
    )


def delete_account(user_id: int) -> None:
    services.apply_account_deleted(sequence=next_sequence(f"account:{user_id}"), user_id=user_id)
