"""Every read of follow requests, blocks and mutes, and of how a viewer stands with a user.

Whether a viewer may see a user's content is `relationships.visibility`.
"""

from typing import TypedDict

from django.db import connection
from django.db.models import QuerySet

from relationships.models import Block, Follow, FollowRequest, Mute


class Relation(TypedDict):
    followed_by_me: bool
    follow_requested_by_me: bool
    blocked_by_me: bool
    muted_by_me: bool


NO_RELATION: Relation = {
    "followed_by_me": False,
    "follow_requested_by_me": False,
    "blocked_by_me": False,
    "muted_by_me": False,
}


# In the order of `Relation`'s keys.
_RELATION_SQL = f"""
    SELECT EXISTS (SELECT 1 FROM {Follow._meta.db_table}
                   WHERE follower_id = %(viewer)s AND followee_id = %(user)s),
           EXISTS (SELECT 1 FROM {FollowRequest._meta.db_table}
                   WHERE requester_id = %(viewer)s AND target_id = %(user)s),
           EXISTS (SELECT 1 FROM {Block._meta.db_table}
                   WHERE blocker_id = %(viewer)s AND blocked_id = %(user)s),
           EXISTS (SELECT 1 FROM {Mute._meta.db_table}
                   WHERE muter_id = %(viewer)s AND muted_id = %(user)s)
"""  # noqa: S608 - table names come from the models; values are parameters


def viewer_relation(*, viewer_id: int | None, user_id: int) -> Relation:
    """Whether the viewer follows, asks to follow, blocks and mutes `user_id`: one query of
    four index probes (each pair's unique index); all false for anonymous viewers."""
    if viewer_id is None:
        return dict(NO_RELATION)
    with connection.cursor() as cursor:
        cursor.execute(_RELATION_SQL, {"viewer": viewer_id, "user": user_id})
        return dict(zip(NO_RELATION, cursor.fetchone(), strict=True))


def follow_requests_to(user_id: int) -> QuerySet[FollowRequest]:
    """Pending requests to follow `user_id`; paginate on ("-created_at", "-id") (index
    follow_requests_target_recent)."""
    return FollowRequest.objects.filter(target_id=user_id).only("id", "requester_id", "created_at")


def blocks_by(user_id: int) -> QuerySet[Block]:
    """The blocks `user_id` made; paginate on ("-created_at", "-id") (index
    blocks_blocker_recent)."""
    return Block.objects.filter(blocker_id=user_id).only("id", "blocked_id", "created_at")


def mutes_by(user_id: int) -> QuerySet[Mute]:
    """The mutes `user_id` made; paginate on ("-created_at", "-id") (index mutes_muter_recent)."""
    return Mute.objects.filter(muter_id=user_id).only("id", "muted_id", "created_at")
