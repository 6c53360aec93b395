"""Follow requests, blocks and mutes through the API: the contract's rows ("Feed service:
follow requests, blocks, mutes"), their exact bodies, and the lists' cost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from authors.models import Author
from posts.tests.factories import AuthorFactory
from posts.tests.shapes import SUMMARY_KEYS
from relationships.models import Block, Follow, FollowRequest, Mute
from relationships.tests.factories import BlockFactory, FollowRequestFactory, MuteFactory
from social.models import UserStats

pytestmark = pytest.mark.django_db

ANN, BOB, CAT = 1, 2, 3


@pytest.fixture
def people():
    for user_id, name in ((ANN, "ann"), (BOB, "bob"), (CAT, "cat")):
        AuthorFactory(id=user_id, username=name)


def private(user_id: int) -> None:
    Author.objects.filter(pk=user_id).update(is_private=True)


def usernames(response) -> list[str]:
    return [user["username"] for user in response.json()["results"]]


# --- follow of a private account, requests ---------------------------------------------------


def test_following_a_private_account_is_202_while_pending_and_200_once_accepted(people, client_for):
    private(ANN)
    bob = client_for(BOB)

    first = bob.post(f"/api/v1/users/{ANN}/follow")
    again = bob.post(f"/api/v1/users/{ANN}/follow")
    assert (first.status_code, first.json()) == (202, {"following": False, "requested": True})
    assert (again.status_code, again.json()) == (202, {"following": False, "requested": True})
    stats = bob.get(f"/api/v1/users/{ANN}/stats").json()
    assert (stats["followers_count"], stats["followed_by_me"]) == (0, False)
    assert stats["follow_requested_by_me"] is True

    accepted = client_for(ANN).post(f"/api/v1/follow-requests/{BOB}/accept")
    assert (accepted.status_code, accepted.content) == (204, b"")

    after = bob.post(f"/api/v1/users/{ANN}/follow")
    assert (after.status_code, after.json()) == (200, {"following": True})
    stats = bob.get(f"/api/v1/users/{ANN}/stats").json()
    assert (stats["followers_count"], stats["followed_by_me"]) == (1, True)
    assert stats["follow_requested_by_me"] is False


def test_the_follow_requests_list_is_the_callers_newest_first(people, client_for):
    start = timezone.now() - timedelta(hours=1)
    for minute, requester in enumerate((BOB, CAT)):
        request = FollowRequestFactory(requester_id=requester, target_id=ANN)
        FollowRequest.objects.filter(pk=request.pk).update(
            created_at=start + timedelta(minutes=minute)
        )
    FollowRequestFactory(requester_id=ANN, target_id=BOB)

    response = client_for(ANN).get("/api/v1/follow-requests")

    assert response.status_code == 200
    assert set(response.json()) == {"next", "previous", "results"}
    assert usernames(response) == ["cat", "bob"]
    assert set(response.json()["results"][0]) == SUMMARY_KEYS


def test_rejecting_is_204_and_answering_no_request_is_404(people, client_for):
    FollowRequestFactory(requester_id=BOB, target_id=ANN)
    ann = client_for(ANN)

    rejected = ann.post(f"/api/v1/follow-requests/{BOB}/reject")
    assert (rejected.status_code, rejected.content) == (204, b"")
    assert not FollowRequest.objects.exists()
    for action in ("accept", "reject"):
        response = ann.post(f"/api/v1/follow-requests/{BOB}/{action}")
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}
    assert not Follow.objects.exists()


def test_unfollowing_withdraws_a_pending_request(people, client_for):
    private(ANN)
    bob = client_for(BOB)
    bob.post(f"/api/v1/users/{ANN}/follow")
    assert bob.delete(f"/api/v1/users/{ANN}/follow").status_code == 204
    assert not FollowRequest.objects.exists()


def test_the_request_endpoints_need_a_token(client):
    assert client.get("/api/v1/follow-requests").status_code == 401
    assert client.post(f"/api/v1/follow-requests/{BOB}/accept").status_code == 401
    assert client.post(f"/api/v1/follow-requests/{BOB}/reject").status_code == 401


# --- blocks ----------------------------------------------------------------------------------


def test_blocking_is_201_then_200_and_unblocking_204_either_way(people, client_for):
    ann = client_for(ANN)
    first = ann.post(f"/api/v1/users/{BOB}/block")
    again = ann.post(f"/api/v1/users/{BOB}/block/")
    assert (first.status_code, first.json()) == (201, {"blocking": True})
    assert (again.status_code, again.json()) == (200, {"blocking": True})
    assert ann.get(f"/api/v1/users/{BOB}/stats").json()["blocked_by_me"] is True
    assert ann.delete(f"/api/v1/users/{BOB}/block").status_code == 204
    assert ann.delete(f"/api/v1/users/{BOB}/block").status_code == 204
    assert not Block.objects.exists()


def test_a_block_removes_the_follows_both_ways_and_corrects_the_counters(people, client_for):
    ann, bob = client_for(ANN), client_for(BOB)
    ann.post(f"/api/v1/users/{BOB}/follow")
    bob.post(f"/api/v1/users/{ANN}/follow")

    ann.post(f"/api/v1/users/{BOB}/block")

    assert not Follow.objects.exists()
    for user_id in (ANN, BOB):
        stats = client_for(CAT).get(f"/api/v1/users/{user_id}/stats").json()
        assert (stats["followers_count"], stats["following_count"]) == (0, 0)
    assert list(UserStats.objects.values_list("followers_count", flat=True)) == [0, 0]


def test_across_a_block_a_follow_is_404_for_the_blocked_and_403_for_the_blocker(people, client_for):
    client_for(ANN).post(f"/api/v1/users/{BOB}/block")

    blocked = client_for(BOB).post(f"/api/v1/users/{ANN}/follow")
    blocker = client_for(ANN).post(f"/api/v1/users/{BOB}/follow")

    assert blocked.status_code == 404
    assert blocker.status_code == 403
    assert set(blocked.json()) == set(blocker.json()) == {"detail"}
    assert not Follow.objects.exists()


@pytest.mark.parametrize("action", ["block", "mute"])
def test_blocking_or_muting_yourself_is_400_and_a_user_nobody_knows_404(
    action, client_for, users_service
):
    own = client_for(ANN).post(f"/api/v1/users/{ANN}/{action}")
    unknown = client_for(ANN).post(f"/api/v1/users/404/{action}")
    assert (own.status_code, own.json()) == (400, {"detail": f"You cannot {action} yourself."})
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"detail"}


@pytest.mark.parametrize("action", ["block", "mute"])
def test_blocking_or_muting_an_unknown_user_with_the_users_service_down_is_503(
    action, client_for, users_service_down
):
    response = client_for(ANN).post(f"/api/v1/users/77/{action}")
    assert response.status_code == 503
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("path", ["blocks", "mutes"])
def test_the_blocks_and_mutes_lists_are_the_callers_newest_first(
    people, path, client_for, django_assert_num_queries
):
    model, factory = (Block, BlockFactory) if path == "blocks" else (Mute, MuteFactory)
    start = timezone.now() - timedelta(hours=1)
    for minute, other in enumerate((BOB, CAT)):
        row = factory(
            **(
                {"blocker_id": ANN, "blocked_id": other}
                if path == "blocks"
                else {"muter_id": ANN, "muted_id": other}
            )
        )
        model.objects.filter(pk=row.pk).update(created_at=start + timedelta(minutes=minute))
    factory(
        **(
            {"blocker_id": BOB, "blocked_id": CAT}
            if path == "blocks"
            else {"muter_id": BOB, "muted_id": CAT}
        )
    )
    ann = client_for(ANN)

    # The caller's deleted-account check, the page, the summaries.
    with django_assert_num_queries(3):
        response = ann.get(f"/api/v1/{path}")

    assert response.status_code == 200
    assert usernames(response) == ["cat", "bob"]
    assert set(response.json()["results"][0]) == SUMMARY_KEYS
    one = ann.get(f"/api/v1/{path}?page_size=1").json()
    assert [user["username"] for user in one["results"]] == ["cat"]
    assert one["next"] is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"/api/v1/users/{BOB}/block"),
        ("delete", f"/api/v1/users/{BOB}/block"),
        ("get", "/api/v1/blocks"),
        ("post", f"/api/v1/users/{BOB}/mute"),
        ("delete", f"/api/v1/users/{BOB}/mute"),
        ("get", "/api/v1/mutes"),
    ],
)
def test_blocks_and_mutes_need_a_token(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


# --- mutes -----------------------------------------------------------------------------------


def test_muting_is_201_then_200_and_unmuting_204_either_way(people, client_for):
    ann = client_for(ANN)
    first = ann.post(f"/api/v1/users/{BOB}/mute")
    again = ann.post(f"/api/v1/users/{BOB}/mute")
    assert (first.status_code, first.json()) == (201, {"muting": True})
    assert (again.status_code, again.json()) == (200, {"muting": True})
    assert ann.get(f"/api/v1/users/{BOB}/stats").json()["muted_by_me"] is True
    # The muted account cannot tell.
    assert client_for(BOB).get(f"/api/v1/users/{ANN}/stats").json()["muted_by_me"] is False
    assert ann.delete(f"/api/v1/users/{BOB}/mute").status_code == 204
    assert ann.delete(f"/api/v1/users/{BOB}/mute").status_code == 204
    assert not Mute.objects.exists()


def test_stats_without_a_token_say_false_for_every_relation(people, client):
    BlockFactory(blocker_id=ANN, blocked_id=BOB)
    stats = client.get(f"/api/v1/users/{BOB}/stats").json()
    assert not any(
        stats[key]
        for key in ("followed_by_me", "follow_requested_by_me", "blocked_by_me", "muted_by_me")
    )
