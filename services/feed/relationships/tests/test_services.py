"""Follow requests, blocks and mutes through the services against real Postgres: every rule,
the counters, the inboxes, the events, and the races (real threads)."""

import pytest
from rest_framework.exceptions import NotFound

from actions.accounts import AccountEventType, apply_account_event
from actions.follows import (
    FollowOutcome,
    accept_follow_request,
    block_user,
    follow_user,
    reject_follow_request,
    unblock_user,
    unfollow_user,
)
from actions.posts import create_post
from authors.client import UsersServiceUnavailable
from authors.models import Author
from posts.models import Like, Post
from posts.selectors import get_post_for_write
from posts.services import add_comment, like_post
from posts.tests.factories import AuthorFactory
from relationships.models import Block, Follow, FollowRequest, Mute
from relationships.services import SelfRelation, mute_user, unmute_user
from relationships.visibility import BlockingUser
from shared.events.models import OutboxEvent
from shared.testing import run_concurrently
from social.models import UserStats
from timeline.models import InboxEntry
from timeline.selectors import timeline_page
from timeline.tests.fanout import run_fanout

ANN, BOB, CAT = 1, 2, 3


def counters(user_id: int) -> tuple[int, int]:
    """(followers_count, following_count); zeros without a row."""
    row = UserStats.objects.filter(pk=user_id).values_list("followers_count", "following_count")
    return row.first() or (0, 0)


def follows() -> set[tuple[int, int]]:
    return set(Follow.objects.values_list("follower_id", "followee_id"))


def requests() -> set[tuple[int, int]]:
    return set(FollowRequest.objects.values_list("requester_id", "target_id"))


def inbox(owner_id: int) -> set[int]:
    return set(InboxEntry.objects.filter(owner_id=owner_id).values_list("post_id", flat=True))


def recorded(prefix: str) -> list[tuple[str, int, dict]]:
    rows = OutboxEvent.objects.filter(type__startswith=prefix).order_by("id")
    return [(row.type, row.aggregate_id, row.payload) for row in rows]


def users(*, private: tuple[int, ...] = ()) -> None:
    for user_id, name in ((ANN, "ann"), (BOB, "bob"), (CAT, "cat")):
        AuthorFactory(id=user_id, username=name, is_private=user_id in private)


def summary(user_id: int) -> dict:
    return {
        "id": user_id,
        "username": {ANN: "ann", BOB: "bob", CAT: "cat"}[user_id],
        "avatar_url": None,
    }


def go_public(user_id: int, sequence: int = 100) -> None:
    apply_account_event(
        sequence=sequence,
        event_type=AccountEventType.USER_UPDATED,
        user_id=user_id,
        username="ann",
        is_private=False,
    )


# --- private accounts and follow requests ---------------------------------------------------


@pytest.mark.django_db
def test_following_a_private_account_is_a_request_counted_nowhere():
    users(private=(ANN,))
    assert follow_user(follower_id=BOB, followee_id=ANN) is FollowOutcome.REQUESTED
    assert follow_user(follower_id=BOB, followee_id=ANN) is FollowOutcome.ALREADY_REQUESTED
    assert requests() == {(BOB, ANN)}
    assert follows() == set()
    assert counters(ANN) == counters(BOB) == (0, 0)
    assert recorded("feed.follow_request.") == [
        ("feed.follow_request.created", BOB, {"target_id": ANN, "requester": summary(BOB)})
    ]


@pytest.mark.django_db
def test_accepting_makes_the_follow_counts_it_and_backfills_the_inbox():
    users(private=(ANN,))
    post = create_post(author_id=ANN, title="for followers")
    follow_user(follower_id=BOB, followee_id=ANN)
    assert inbox(BOB) == set()

    accept_follow_request(target_id=ANN, requester_id=BOB)

    assert follows() == {(BOB, ANN)}
    assert requests() == set()
    assert counters(ANN) == (1, 0)
    assert counters(BOB) == (0, 1)
    assert inbox(BOB) == {post.pk}
    assert follow_user(follower_id=BOB, followee_id=ANN) is FollowOutcome.ALREADY_FOLLOWING
    types = [event[0] for event in recorded("feed.follow")]
    assert types == [
        "feed.follow_request.created",
        "feed.follow_request.accepted",
        "feed.follow.created",
    ]
    assert recorded("feed.follow_request.accepted") == [
        ("feed.follow_request.accepted", BOB, {"target": summary(ANN)})
    ]


@pytest.mark.django_db
def test_an_answer_without_a_pending_request_is_not_found():
    users(private=(ANN,))
    with pytest.raises(NotFound):
        accept_follow_request(target_id=ANN, requester_id=BOB)
    with pytest.raises(NotFound):
        reject_follow_request(target_id=ANN, requester_id=BOB)
    follow_user(follower_id=BOB, followee_id=ANN)
    with pytest.raises(NotFound):
        accept_follow_request(target_id=BOB, requester_id=ANN)  # the other direction


@pytest.mark.django_db
def test_rejecting_and_withdrawing_delete_the_request_and_say_so():
    users(private=(ANN, CAT))
    follow_user(follower_id=BOB, followee_id=ANN)
    follow_user(follower_id=BOB, followee_id=CAT)

    reject_follow_request(target_id=ANN, requester_id=BOB)
    unfollow_user(follower_id=BOB, followee_id=CAT)
    unfollow_user(follower_id=BOB, followee_id=CAT)

    assert requests() == set()
    assert follows() == set()
    closed = [event for event in recorded("feed.follow_request.") if "created" not in event[0]]
    assert closed == [
        ("feed.follow_request.rejected", BOB, {"target_id": ANN}),
        ("feed.follow_request.withdrawn", BOB, {"target_id": CAT}),
    ]


@pytest.mark.django_db
def test_going_private_keeps_the_followers_and_going_public_accepts_every_request():
    users()
    follow_user(follower_id=CAT, followee_id=ANN)
    Author.objects.filter(pk=ANN).update(is_private=True)
    follow_user(follower_id=BOB, followee_id=ANN)
    assert follows() == {(CAT, ANN)}
    post = create_post(author_id=ANN, title="p")

    go_public(ANN)

    assert not Author.objects.get(pk=ANN).is_private
    assert follows() == {(CAT, ANN), (BOB, ANN)}
    assert requests() == set()
    assert counters(ANN) == (2, 0)
    assert post.pk in inbox(BOB)
    assert follow_user(follower_id=CAT, followee_id=BOB) is FollowOutcome.FOLLOWED


@pytest.mark.django_db
def test_an_event_without_the_switch_or_repeating_public_accepts_nothing():
    users(private=(ANN,))
    follow_user(follower_id=BOB, followee_id=ANN)
    apply_account_event(
        sequence=5, event_type=AccountEventType.USER_UPDATED, user_id=ANN, username="ann"
    )
    assert requests() == {(BOB, ANN)}


@pytest.mark.django_db
def test_an_account_deletion_takes_its_requests_blocks_and_mutes_both_ways():
    users(private=(ANN,))
    follow_user(follower_id=BOB, followee_id=ANN)
    follow_user(follower_id=ANN, followee_id=CAT)
    Author.objects.filter(pk=BOB).update(is_private=True)
    follow_user(follower_id=ANN, followee_id=BOB)
    block_user(blocker_id=CAT, blocked_id=ANN)
    block_user(blocker_id=ANN, blocked_id=BOB)
    mute_user(muter_id=ANN, muted_id=CAT)
    mute_user(muter_id=CAT, muted_id=ANN)
    FollowRequest.objects.create(requester_id=CAT, target_id=BOB)

    apply_account_event(sequence=9, event_type=AccountEventType.USER_DELETED, user_id=ANN)

    assert requests() == {(CAT, BOB)}
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


# --- blocks ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_block_removes_the_follows_and_requests_both_ways_with_the_counters():
    users(private=(CAT,))
    follow_user(follower_id=ANN, followee_id=BOB)
    follow_user(follower_id=BOB, followee_id=ANN)
    follow_user(follower_id=ANN, followee_id=CAT)  # a request
    follow_user(follower_id=CAT, followee_id=ANN)
    follow_user(follower_id=BOB, followee_id=CAT)  # a request, not between the two

    assert block_user(blocker_id=ANN, blocked_id=BOB) is True
    assert block_user(blocker_id=CAT, blocked_id=ANN) is True
    assert block_user(blocker_id=CAT, blocked_id=ANN) is False

    assert follows() == set()
    assert requests() == {(BOB, CAT)}
    assert counters(ANN) == counters(BOB) == counters(CAT) == (0, 0)
    assert recorded("feed.block.") == [
        ("feed.block.created", ANN, {"blocked_id": BOB}),
        ("feed.block.created", CAT, {"blocked_id": ANN}),
    ]


@pytest.mark.django_db
def test_a_block_purges_both_inboxes_of_the_other():
    users()
    follow_user(follower_id=ANN, followee_id=BOB)
    follow_user(follower_id=BOB, followee_id=ANN)
    anns = create_post(author_id=ANN, title="a")
    bobs = create_post(author_id=BOB, title="b")
    run_fanout()
    assert inbox(ANN) == inbox(BOB) == {anns.pk, bobs.pk}

    block_user(blocker_id=BOB, blocked_id=ANN)

    assert inbox(ANN) == {anns.pk}
    assert inbox(BOB) == {bobs.pk}


@pytest.mark.django_db
def test_a_block_while_a_fan_out_is_pending_keeps_the_post_out_of_the_blocked_timeline():
    users()
    follow_user(follower_id=BOB, followee_id=ANN)
    anns = create_post(author_id=ANN, title="a")
    assert anns.pk in [row.id for row in timeline_page(viewer_id=BOB, cursor=None, limit=20)]

    block_user(blocker_id=ANN, blocked_id=BOB)
    run_fanout()

    assert inbox(BOB) == set()
    assert timeline_page(viewer_id=BOB, cursor=None, limit=20) == []


@pytest.mark.django_db
def test_across_a_block_the_blocked_gets_404_and_the_blocker_403_to_follow():
    users(private=(BOB,))
    block_user(blocker_id=ANN, blocked_id=BOB)
    with pytest.raises(NotFound):
        follow_user(follower_id=BOB, followee_id=ANN)
    with pytest.raises(BlockingUser):
        follow_user(follower_id=ANN, followee_id=BOB)  # BOB is private: no request either
    assert follows() == requests() == set()


@pytest.mark.django_db
def test_across_a_block_neither_may_like_or_comment_on_the_others_posts():
    users()
    anns = create_post(author_id=ANN, title="a")
    bobs = create_post(author_id=BOB, title="b")
    block_user(blocker_id=ANN, blocked_id=BOB)
    for user_id, post in ((BOB, anns), (ANN, bobs)):
        with pytest.raises(NotFound):
            get_post_for_write(post.pk, viewer_id=user_id)
        with pytest.raises(NotFound):
            like_post(user_id=user_id, post=post)
        with pytest.raises(NotFound):
            add_comment(post=post, author_id=user_id, body="hi")
    assert not Like.objects.exists()
    assert like_post(user_id=CAT, post=anns) == (1, True)


@pytest.mark.django_db
def test_unblocking_restores_nothing_it_removed():
    users()
    follow_user(follower_id=BOB, followee_id=ANN)
    block_user(blocker_id=ANN, blocked_id=BOB)
    unblock_user(blocker_id=ANN, blocked_id=BOB)
    unblock_user(blocker_id=ANN, blocked_id=BOB)
    assert not Block.objects.exists()
    assert follows() == set()
    assert recorded("feed.block.") == [
        ("feed.block.created", ANN, {"blocked_id": BOB}),
        ("feed.block.deleted", ANN, {"blocked_id": BOB}),
    ]
    assert follow_user(follower_id=BOB, followee_id=ANN) is FollowOutcome.FOLLOWED


@pytest.mark.django_db
def test_blocking_or_muting_yourself_is_refused(users_service):
    with pytest.raises(SelfRelation, match="block yourself"):
        block_user(blocker_id=ANN, blocked_id=ANN)
    with pytest.raises(SelfRelation, match="mute yourself"):
        mute_user(muter_id=ANN, muted_id=ANN)
    assert users_service.requests == []


@pytest.mark.django_db
def test_blocking_or_muting_a_user_nobody_knows_is_not_found(users_service):
    with pytest.raises(NotFound):
        block_user(blocker_id=ANN, blocked_id=404)
    with pytest.raises(NotFound):
        mute_user(muter_id=ANN, muted_id=404)
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


@pytest.mark.django_db
def test_blocking_or_muting_an_unknown_user_with_the_users_service_down_is_503(
    users_service_down,
):
    with pytest.raises(UsersServiceUnavailable):
        block_user(blocker_id=ANN, blocked_id=77)
    with pytest.raises(UsersServiceUnavailable):
        mute_user(muter_id=ANN, muted_id=77)


# --- mutes ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mute_is_recorded_once_and_changes_no_follow():
    users()
    follow_user(follower_id=ANN, followee_id=BOB)
    assert mute_user(muter_id=ANN, muted_id=BOB) is True
    assert mute_user(muter_id=ANN, muted_id=BOB) is False
    unmute_user(muter_id=ANN, muted_id=BOB)
    unmute_user(muter_id=ANN, muted_id=BOB)
    assert follows() == {(ANN, BOB)}
    assert recorded("feed.mute.") == [
        ("feed.mute.created", ANN, {"muted_id": BOB}),
        ("feed.mute.deleted", ANN, {"muted_id": BOB}),
    ]


# --- races (real threads, real Postgres) ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("private", [False, True])
def test_a_block_racing_a_follow_leaves_no_follow_or_request_and_exact_counters(private):
    for _ in range(5):
        Block.objects.all().delete()
        Follow.objects.all().delete()
        FollowRequest.objects.all().delete()
        UserStats.objects.all().delete()
        Author.objects.all().delete()
        users(private=(ANN,) if private else ())

        def work(i: int) -> object:
            if i == 0:
                return block_user(blocker_id=ANN, blocked_id=BOB)
            return follow_user(follower_id=BOB, followee_id=ANN)

        results = run_concurrently(2, work)
        assert results[0] is True
        assert isinstance(results[1], FollowOutcome | NotFound), results
        assert follows() == requests() == set()
        assert counters(ANN) == counters(BOB) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_block_racing_likes_leaves_either_the_like_before_it_or_a_404():
    users()
    post = create_post(author_id=ANN, title="a")
    for attempt in range(5):
        Block.objects.all().delete()
        Like.objects.all().delete()
        Post.objects.filter(pk=post.pk).update(like_count=0)

        def work(i: int) -> object:
            if i == 0:
                return block_user(blocker_id=ANN, blocked_id=BOB)
            return like_post(user_id=BOB, post=post)

        block_result, like_result = run_concurrently(2, work)
        assert block_result is True
        liked = Like.objects.filter(user_id=BOB).exists()
        assert liked == (not isinstance(like_result, NotFound)), (attempt, like_result)
        if liked:
            # The like committed before the block took the pair: it was made while allowed.
            assert like_result == (1, True)


@pytest.mark.django_db(transaction=True)
def test_accepting_while_the_requester_withdraws_ends_with_no_follow_or_one_counted():
    users(private=(ANN,))
    for _ in range(5):
        Follow.objects.all().delete()
        UserStats.objects.all().delete()
        follow_user(follower_id=BOB, followee_id=ANN)

        def work(i: int) -> object:
            if i == 0:
                return accept_follow_request(target_id=ANN, requester_id=BOB)
            return unfollow_user(follower_id=BOB, followee_id=ANN)

        accepted, _ = run_concurrently(2, work)
        assert requests() == set()
        # The withdrawal came last either way: the request or the follow accepted first goes.
        assert follows() == set()
        assert counters(ANN) == counters(BOB) == (0, 0)
        assert accepted is None or isinstance(accepted, NotFound)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_to_a_private_account_leave_one():
    users(private=(ANN,))
    results = run_concurrently(8, lambda _: follow_user(follower_id=BOB, followee_id=ANN))
    assert sorted(r.value for r in results) == ["already requested"] * 7 + ["requested"]
    assert requests() == {(BOB, ANN)}


@pytest.mark.django_db(transaction=True)
def test_going_public_while_requests_arrive_accepts_or_follows_every_one():
    users(private=(ANN,))
    for user_id in range(10, 16):
        AuthorFactory(id=user_id)

    def work(i: int) -> object:
        if i == 0:
            return go_public(ANN)
        return follow_user(follower_id=9 + i, followee_id=ANN)

    results = run_concurrently(7, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert requests() == set()
    assert {follower for follower, _ in follows()} == set(range(10, 16))
    assert counters(ANN) == (6, 0)
