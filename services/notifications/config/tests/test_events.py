"""The events this service consumes, applied the way the consumer applies them: through
`shared.events.consumer.apply_once` (one transaction, once per event id), real Postgres."""

import uuid
from datetime import UTC, datetime

import pytest

from actors.models import Actor
from notifications.models import Notification
from shared.events.consumer import Unprocessable, apply_once, configured_handlers
from shared.events.message import Event

pytestmark = pytest.mark.django_db

ANN, BOB, CAT = 1, 2, 3
HANDLERS = configured_handlers()


def event(type: str, aggregate_id: int, sequence: int, **payload) -> Event:
    return Event(
        id=uuid.uuid4(),
        type=type,
        aggregate_id=aggregate_id,
        sequence=sequence,
        occurred_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        producer=type.split(".")[0],
        request_id="req-1",
        payload=payload,
    )


def deliver(message: Event) -> bool:
    return apply_once(message, HANDLERS[message.type])


def summary(user_id: int, username: str | None = None) -> dict:
    return {"id": user_id, "username": username or f"user{user_id}", "avatar_url": None}


def liked(post_id: int, sequence: int, *, author: int = ANN, user: int = BOB) -> Event:
    return event("feed.post.liked", post_id, sequence, post_author_id=author, user=summary(user))


def inbox(user_id: int) -> list[tuple[str, int]]:
    rows = Notification.objects.filter(recipient_id=user_id).order_by("id")
    return list(rows.values_list("type", "actor_id"))


def test_every_bound_type_has_a_handler_that_imports():
    assert set(HANDLERS) >= {
        "users.account.created",
        "users.account.deleted",
        "feed.post.liked",
        "feed.post.unliked",
        "feed.comment.created",
        "feed.comment.deleted",
        "feed.follow.created",
        "feed.follow.deleted",
    }


def test_a_like_event_notifies_with_the_events_time_and_a_repeat_of_its_id_changes_nothing():
    message = liked(10, 1)
    assert deliver(message) is True
    assert deliver(message) is False
    [notification] = Notification.objects.all()
    assert notification.created_at == message.occurred_at
    assert inbox(ANN) == [("like", BOB)]


def test_an_unlike_delivered_before_its_like_leaves_nothing():
    deliver(event("feed.post.unliked", 10, 2, user_id=BOB))
    deliver(liked(10, 1))
    assert inbox(ANN) == []


def test_comment_follow_and_their_undoing_through_events():
    deliver(
        event(
            "feed.comment.created",
            5,
            1,
            post_id=10,
            post_author_id=ANN,
            author=summary(BOB),
            parent_id=None,
            parent_author_id=None,
            mentioned_user_ids=[CAT],
        )
    )
    deliver(event("feed.follow.created", CAT, 1, followee_id=ANN, follower=summary(CAT)))
    assert inbox(ANN) == [("comment", BOB), ("follow", CAT)]
    assert inbox(CAT) == [("mention", BOB)]
    deliver(event("feed.comment.deleted", 5, 2, post_id=10))
    deliver(event("feed.follow.deleted", CAT, 2, followee_id=ANN))
    assert inbox(ANN) == inbox(CAT) == []


def test_a_posts_mentions_through_its_created_and_updated_events():
    deliver(event("feed.post.created", 10, 1, author=summary(ANN), mentioned_user_ids=[BOB]))
    assert inbox(BOB) == [("mention", ANN)]
    deliver(event("feed.post.updated", 10, 2, author=summary(ANN), mentioned_user_ids=[CAT]))
    assert (inbox(BOB), inbox(CAT)) == ([], [("mention", ANN)])


@pytest.mark.parametrize("mentioned", ["7", [0], ["a"], list(range(1, 102))])
def test_a_post_event_with_malformed_mentions_is_unprocessable(mentioned):
    with pytest.raises(Unprocessable):
        deliver(
            event("feed.post.created", 10, 1, author=summary(ANN), mentioned_user_ids=mentioned)
        )


def test_the_events_reserved_for_follow_requests_blocks_mutes_and_comment_likes_apply():
    deliver(event("feed.follow_request.created", BOB, 1, target_id=ANN, requester=summary(BOB)))
    assert inbox(ANN) == [("follow_request", BOB)]
    deliver(event("feed.follow_request.accepted", BOB, 2, target=summary(ANN)))
    assert (inbox(ANN), inbox(BOB)) == ([], [("follow_accepted", ANN)])
    deliver(event("feed.follow_request.created", CAT, 1, target_id=ANN, requester=summary(CAT)))
    deliver(event("feed.follow_request.rejected", CAT, 2, target_id=ANN))
    assert inbox(ANN) == []
    deliver(event("feed.comment.liked", 5, 2, post_id=10, comment_author_id=ANN, user=summary(CAT)))
    assert inbox(ANN) == [("comment_like", CAT)]
    deliver(event("feed.comment.unliked", 5, 3, user_id=CAT))
    assert inbox(ANN) == []
    deliver(event("feed.mute.created", ANN, 1, muted_id=CAT))
    deliver(liked(10, 1, user=CAT))
    assert inbox(ANN) == []
    deliver(event("feed.mute.deleted", ANN, 2, muted_id=CAT))
    deliver(liked(11, 1, user=CAT))
    assert inbox(ANN) == [("like", CAT)]
    deliver(event("feed.block.created", CAT, 1, blocked_id=ANN))
    assert inbox(ANN) == []
    deliver(event("feed.block.deleted", CAT, 2, blocked_id=ANN))
    deliver(liked(12, 1, user=CAT))
    assert inbox(ANN) == [("like", CAT)]


def test_account_events_keep_the_replica_fresh_and_a_deletion_removes_everything():
    deliver(liked(10, 1))
    deliver(event("users.account.updated", BOB, 5, username="bobby", name="", avatar_url=None))
    deliver(event("users.account.updated", BOB, 4, username="old", name="", avatar_url=None))
    assert Actor.objects.get(pk=BOB).username == "bobby"
    deliver(event("users.account.deleted", BOB, 6))
    assert inbox(ANN) == []
    assert Actor.objects.get(pk=BOB).deleted


def test_a_like_by_a_user_the_feed_did_not_know_notifies_and_a_later_account_event_names_them():
    unknown = {"id": BOB, "username": None, "avatar_url": None}
    deliver(event("feed.post.liked", 10, 1, post_author_id=ANN, user=unknown))
    assert inbox(ANN) == [("like", BOB)]
    deliver(event("users.account.updated", BOB, 1, username="bob", name="", avatar_url=None))
    assert Actor.objects.get(pk=BOB).username == "bob"


@pytest.mark.parametrize(
    "message",
    [
        event("feed.post.liked", 10, 1, post_author_id="1", user=summary(BOB)),
        event("feed.post.liked", 10, 1, post_author_id=ANN, user={"id": BOB, "username": 7}),
        event("feed.post.liked", 10, 1, post_author_id=ANN),
        event("feed.post.unliked", 10, 1, user_id=True),
        event(
            "feed.comment.created",
            5,
            1,
            post_id=10,
            post_author_id=ANN,
            author=summary(BOB),
            mentioned_user_ids=list(range(1, 500)),
        ),
        event("users.account.updated", BOB, 1, username="x" * 151),
        event("users.account.updated", BOB, 1, name="no username"),
    ],
)
def test_a_payload_that_can_never_apply_is_unprocessable_and_leaves_no_trace(message):
    with pytest.raises(Unprocessable):
        deliver(message)
    assert not Notification.objects.exists()
