"""The feed's follow events are recorded in the transaction of the follow or unfollow, once per
change, on the follower's sequence."""

import pytest

from actions.follows import follow_user, unfollow_user
from posts.tests.factories import AuthorFactory
from relationships.services import SelfRelation
from shared.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


def recorded() -> list[tuple[str, int, int, dict]]:
    rows = OutboxEvent.objects.filter(type__startswith="feed.follow.").order_by("id")
    return [(row.type, row.aggregate_id, row.sequence, row.payload) for row in rows]


def test_a_follow_and_an_unfollow_are_recorded_once_each():
    AuthorFactory(id=1, username="ann")
    AuthorFactory(id=2, username="bob")
    follow_user(follower_id=2, followee_id=1)
    follow_user(follower_id=2, followee_id=1)
    unfollow_user(follower_id=2, followee_id=1)
    unfollow_user(follower_id=2, followee_id=1)
    bob = {"id": 2, "username": "bob", "avatar_url": None}
    assert recorded() == [
        ("feed.follow.created", 2, 1, {"followee_id": 1, "follower": bob}),
        ("feed.follow.deleted", 2, 2, {"followee_id": 1}),
    ]


def test_a_refused_follow_records_nothing():
    AuthorFactory(id=1)
    with pytest.raises(SelfRelation):
        follow_user(follower_id=1, followee_id=1)
    assert recorded() == []
