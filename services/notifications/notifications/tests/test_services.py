"""The rules of who hears of what, applied the way events apply them (real Postgres)."""

from datetime import UTC, datetime, timedelta

import pytest

from actors.models import Actor
from notifications import services
from notifications.models import ActionState, Notification, NotificationSettings
from notifications.tests import events

pytestmark = pytest.mark.django_db

ANN, BOB, CAT = 1, 2, 3


def notifications_of(user_id: int) -> list[tuple[str, int]]:
    return list(
        Notification.objects.filter(recipient_id=user_id)
        .order_by("id")
        .values_list("type", "actor_id")
    )


def test_a_like_notifies_the_post_author_with_the_liker_as_actor():
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    [notification] = Notification.objects.all()
    assert (notification.recipient_id, notification.actor_id, notification.type) == (
        ANN,
        BOB,
        "like",
    )
    assert (notification.post_id, notification.comment_id, notification.read) == (10, None, False)
    assert Actor.objects.get(pk=BOB).username == "user2"


def test_nobody_is_notified_of_their_own_actions():
    events.like(post_id=10, author_id=ANN, user_id=ANN)
    events.comment(comment_id=5, post_id=10, post_author_id=ANN, user_id=ANN, mentioned=(ANN,))
    events.follow(follower_id=ANN, followee_id=ANN)
    assert not Notification.objects.exists()


def test_an_unlike_withdraws_the_like_and_a_new_like_notifies_again():
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.unlike(post_id=10, user_id=BOB)
    assert notifications_of(ANN) == []
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    assert notifications_of(ANN) == [("like", BOB)]


def test_an_unlike_that_arrives_before_its_like_leaves_nothing():
    events.unlike(post_id=10, user_id=BOB, sequence=2)
    events.like(post_id=10, author_id=ANN, user_id=BOB, sequence=1)
    assert notifications_of(ANN) == []


def test_a_redelivered_like_notifies_once():
    events.like(post_id=10, author_id=ANN, user_id=BOB, sequence=1)
    events.like(post_id=10, author_id=ANN, user_id=BOB, sequence=1)
    assert notifications_of(ANN) == [("like", BOB)]


def test_a_deleted_post_takes_its_notifications_and_its_late_likes_with_it():
    events.like(post_id=10, author_id=ANN, user_id=BOB, sequence=1)
    events.comment(comment_id=5, post_id=10, post_author_id=ANN, user_id=CAT)
    events.delete_post(post_id=10, sequence=3)
    events.like(post_id=10, author_id=ANN, user_id=CAT, sequence=2)
    assert notifications_of(ANN) == []


def test_a_comment_notifies_the_post_author_the_replied_to_and_the_mentioned_once_each():
    events.comment(
        comment_id=5,
        post_id=10,
        post_author_id=ANN,
        user_id=BOB,
        parent_author_id=CAT,
        mentioned=(CAT, ANN, 4),
    )
    rows = Notification.objects.order_by("recipient_id").values_list("recipient_id", "type")
    assert list(rows) == [(ANN, "comment"), (CAT, "reply"), (4, "mention")]
    assert set(Notification.objects.values_list("comment_id", "post_id")) == {(5, 10)}


def test_a_post_notifies_whom_it_mentions_and_an_edit_moves_the_mentions():
    events.post_mentions(post_id=10, author_id=ANN, mentioned=(BOB, ANN))
    assert notifications_of(BOB) == [("mention", ANN)]
    assert notifications_of(ANN) == []  # nobody hears of their own post

    events.post_mentions(post_id=10, author_id=ANN, mentioned=(BOB, CAT))
    events.post_mentions(post_id=10, author_id=ANN, mentioned=(BOB, CAT))
    assert notifications_of(BOB) == [("mention", ANN)]  # still the first, once
    assert notifications_of(CAT) == [("mention", ANN)]

    events.post_mentions(post_id=10, author_id=ANN, mentioned=(CAT,))
    assert notifications_of(BOB) == []
    [mention] = Notification.objects.filter(recipient_id=CAT)
    assert (mention.post_id, mention.comment_id) == (10, None)


def test_an_older_post_event_arriving_late_changes_no_mention():
    events.post_mentions(post_id=10, author_id=ANN, mentioned=(), sequence=2)
    events.post_mentions(post_id=10, author_id=ANN, mentioned=(BOB,), sequence=1)
    assert notifications_of(BOB) == []


def test_a_deleted_post_takes_its_mentions_and_late_edits_change_nothing():
    events.post_mentions(post_id=10, author_id=ANN, mentioned=(BOB,))
    events.delete_post(post_id=10)
    events.post_mentions(post_id=10, author_id=ANN, mentioned=(BOB, CAT), sequence=99)
    assert notifications_of(BOB) == notifications_of(CAT) == []


def test_a_post_mention_leaves_the_mentions_of_its_comments_alone():
    events.comment(comment_id=5, post_id=10, post_author_id=ANN, user_id=CAT, mentioned=(BOB,))
    events.post_mentions(post_id=10, author_id=ANN, mentioned=())
    assert notifications_of(BOB) == [("mention", CAT)]


def test_a_deleted_comment_withdraws_everything_it_caused_even_when_it_arrives_first():
    events.comment(comment_id=5, post_id=10, post_author_id=ANN, user_id=BOB, mentioned=(CAT,))
    events.like_comment(comment_id=5, post_id=10, author_id=BOB, user_id=CAT)
    events.delete_comment(comment_id=5)
    assert not Notification.objects.exists()
    events.delete_comment(comment_id=6, sequence=2)
    events.comment(comment_id=6, post_id=10, post_author_id=ANN, user_id=BOB, sequence=1)
    assert not Notification.objects.exists()


def test_an_unfollow_withdraws_the_follow_and_out_of_order_ones_settle_on_the_newest():
    events.follow(follower_id=BOB, followee_id=ANN)
    events.unfollow(follower_id=BOB, followee_id=ANN)
    assert notifications_of(ANN) == []
    events.follow(follower_id=CAT, followee_id=ANN, sequence=5)
    events.unfollow(follower_id=CAT, followee_id=ANN, sequence=4)
    assert notifications_of(ANN) == [("follow", CAT)]


def test_follows_are_grouped_by_their_utc_day():
    events.follow(follower_id=BOB, followee_id=ANN, at=datetime(2026, 12, 1, 23, 59, tzinfo=UTC))
    events.follow(follower_id=CAT, followee_id=ANN, at=datetime(2026, 12, 2, 0, 1, tzinfo=UTC))
    assert sorted(Notification.objects.values_list("group_key", flat=True)) == [
        "follow:2026-12-01",
        "follow:2026-12-02",
    ]


def test_a_type_turned_off_is_not_notified_and_the_others_still_are():
    services.update_settings(user_id=ANN, changes={"like": False})
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.follow(follower_id=BOB, followee_id=ANN)
    assert notifications_of(ANN) == [("follow", BOB)]


def test_a_block_deletes_what_either_sent_the_other_and_stops_new_ones_both_ways():
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.follow(follower_id=ANN, followee_id=BOB)
    events.like(post_id=11, author_id=ANN, user_id=CAT)
    events.block(blocker_id=ANN, blocked_id=BOB)
    assert notifications_of(ANN) == [("like", CAT)]
    assert notifications_of(BOB) == []
    events.like(post_id=12, author_id=BOB, user_id=ANN)
    events.like(post_id=13, author_id=ANN, user_id=BOB)
    assert notifications_of(BOB) == []
    assert notifications_of(ANN) == [("like", CAT)]


def test_a_muted_account_does_not_notify_the_muter_until_unmuted():
    events.mute(muter_id=ANN, muted_id=BOB)
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.like(post_id=20, author_id=BOB, user_id=ANN)
    assert notifications_of(ANN) == []
    assert notifications_of(BOB) == [("like", ANN)]
    events.unmute(muter_id=ANN, muted_id=BOB)
    events.like(post_id=11, author_id=ANN, user_id=BOB)
    assert notifications_of(ANN) == [("like", BOB)]


def test_a_deleted_account_loses_what_it_sent_and_received_and_late_events_are_dropped():
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.like(post_id=20, author_id=BOB, user_id=ANN)
    events.like(post_id=11, author_id=ANN, user_id=CAT)
    services.update_settings(user_id=BOB, changes={"follow": False})
    events.delete_account(BOB)
    assert notifications_of(ANN) == [("like", CAT)]
    assert notifications_of(BOB) == []
    assert not NotificationSettings.objects.filter(user_id=BOB).exists()
    events.like(post_id=12, author_id=ANN, user_id=BOB)
    events.follow(follower_id=ANN, followee_id=BOB)
    assert notifications_of(ANN) == [("like", CAT)]
    assert notifications_of(BOB) == []


def test_follow_requests_go_when_withdrawn_and_an_acceptance_notifies_the_requester():
    services.apply_follow_request(
        sequence=1, requester=events.user(BOB), target_id=ANN, occurred_at=datetime.now(tz=UTC)
    )
    assert notifications_of(ANN) == [("follow_request", BOB)]
    services.apply_follow_request_withdrawn(sequence=2, requester_id=BOB, target_id=ANN)
    assert notifications_of(ANN) == []
    services.apply_follow_request(
        sequence=3, requester=events.user(BOB), target_id=ANN, occurred_at=datetime.now(tz=UTC)
    )
    services.apply_follow_request_accepted(
        sequence=4, requester_id=BOB, target=events.user(ANN), occurred_at=datetime.now(tz=UTC)
    )
    assert notifications_of(ANN) == []
    assert notifications_of(BOB) == [("follow_accepted", ANN)]


def test_mark_read_marks_all_or_only_up_to_an_id():
    for post_id in (10, 11, 12):
        events.like(post_id=post_id, author_id=ANN, user_id=BOB)
    first, second, third = Notification.objects.order_by("id").values_list("id", flat=True)
    events.like(post_id=13, author_id=BOB, user_id=ANN)
    assert services.mark_read(user_id=ANN, up_to_id=second) == 2
    assert not Notification.objects.get(pk=third).read
    assert services.mark_read(user_id=ANN) == 1
    assert Notification.objects.filter(recipient_id=BOB, read=False).count() == 1
    assert first < second < third


@pytest.mark.django_db(transaction=True)
def test_note_action_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.note_action(key="like:1:2", sequence=1, active=True)


def test_pruning_forgets_old_undone_actions_and_keeps_what_is_in_force():
    events.like(post_id=10, author_id=ANN, user_id=BOB)
    events.unlike(post_id=11, user_id=BOB)
    events.block(blocker_id=ANN, blocked_id=CAT)
    ActionState.objects.update(updated_at=datetime.now(tz=UTC) - timedelta(days=40))
    events.unlike(post_id=12, user_id=BOB)
    assert services.prune_undone_actions(days=30) == 1
    assert set(ActionState.objects.values_list("key", flat=True)) == {
        "like:10:2",
        "block:1:3",
        "like:12:2",
    }
