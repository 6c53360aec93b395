"""/api/v1/users/{id}/follow, /followers and /following: the contract's rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from authors.models import Author
from posts.tests.factories import AuthorFactory
from posts.tests.shapes import SUMMARY_KEYS
from relationships.models import Follow
from social.models import UserStats
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db


def follows_at(pairs: list[tuple[int, int]]) -> list[Follow]:
    """Follows created one minute apart, oldest first, in the order given."""
    start = timezone.now() - timedelta(days=1)
    follows = []
    for minute, (follower, followee) in enumerate(pairs):
        follow = FollowFactory(follower_id=follower, followee_id=followee)
        Follow.objects.filter(pk=follow.pk).update(created_at=start + timedelta(minutes=minute))
        follows.append(follow)
    return follows


# --- POST / DELETE /api/v1/users/{id}/follow ----------------------------------------------------


def test_the_first_follow_is_201_and_a_repeat_is_200(client_for):
    AuthorFactory(id=2)
    follower = client_for(1)

    first = follower.post("/api/v1/users/2/follow")
    again = follower.post("/api/v1/users/2/follow/")

    assert (first.status_code, first.json()) == (201, {"following": True})
    assert (again.status_code, again.json()) == (200, {"following": True})
    assert Follow.objects.filter(follower_id=1, followee_id=2).count() == 1


def test_following_records_the_caller_in_the_replica_for_follower_lists(client_for):
    AuthorFactory(id=2)
    client_for(1, "alice").post("/api/v1/users/2/follow")
    assert Author.objects.get(pk=1).username == "alice"


def test_following_yourself_is_a_400_with_a_detail(client_for):
    response = client_for(3).post("/api/v1/users/3/follow")

    assert response.status_code == 400
    assert response.json() == {"detail": "You cannot follow yourself."}
    assert not Follow.objects.exists()


def test_following_a_user_nobody_knows_is_a_404(client_for, users_service):
    response = client_for(1).post("/api/v1/users/404/follow")

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert users_service.requests[0][0] == "/internal/v1/users/404"


def test_following_a_user_known_only_to_the_users_service_is_a_201(client_for, users_service):
    users_service.add(2, "bob")
    assert client_for(1).post("/api/v1/users/2/follow").status_code == 201


def test_an_unknown_user_while_the_users_service_is_unreachable_is_a_json_503(
    client_for, users_service_down
):
    response = client_for(1).post("/api/v1/users/2/follow")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "users service unreachable"}


def test_a_huge_id_is_a_404_not_a_500(client_for):
    response = client_for(1).post("/api/v1/users/99999999999999999999/follow")
    assert response.status_code == 404


def test_unfollow_is_204_whether_following_or_not(client_for):
    AuthorFactory(id=2)
    follower = client_for(1)
    follower.post("/api/v1/users/2/follow")

    assert follower.delete("/api/v1/users/2/follow").status_code == 204
    assert follower.delete("/api/v1/users/2/follow").status_code == 204
    assert follower.delete("/api/v1/users/777/follow").status_code == 204
    assert not Follow.objects.exists()
    assert UserStats.objects.get(pk=1).following_count == 0
    assert UserStats.objects.get(pk=2).followers_count == 0


def test_follow_and_unfollow_need_a_token(client):
    AuthorFactory(id=2)
    for response in (
        client.post("/api/v1/users/2/follow"),
        client.delete("/api/v1/users/2/follow"),
    ):
        assert response.status_code == 401
        assert set(response.json()) == {"detail"}


def test_a_bad_token_is_a_401(client):
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.post("/api/v1/users/2/follow").status_code == 401


def test_get_on_follow_is_a_405(client_for):
    assert client_for(1).get("/api/v1/users/2/follow").status_code == 405


# --- GET /api/v1/users/{id}/followers and /following ----------------------------------------------


def test_followers_are_user_summaries_newest_follow_first(client):
    for user_id in (1, 2, 3, 9):
        AuthorFactory(id=user_id)
    follows_at([(1, 9), (2, 9), (3, 9), (9, 1)])

    response = client.get("/api/v1/users/9/followers")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert [user["id"] for user in body["results"]] == [3, 2, 1]
    assert body["results"][0] == {"id": 3, "username": "user3", "avatar_url": None}


def test_following_lists_whom_the_user_follows_newest_first(client):
    for user_id in (1, 2, 3, 9):
        AuthorFactory(id=user_id)
    follows_at([(9, 2), (9, 1), (9, 3), (1, 9)])

    response = client.get("/api/v1/users/9/following")

    assert [user["id"] for user in response.json()["results"]] == [3, 1, 2]
    assert set(response.json()["results"][0]) == SUMMARY_KEYS


def test_follow_lists_page_with_cursors_and_link_headers_equal_to_the_body(client):
    for user_id in range(1, 8):
        AuthorFactory(id=user_id)
    follows_at([(user_id, 100) for user_id in range(1, 8)])

    seen, url = [], "/api/v1/users/100/followers?page_size=3"
    while url:
        response = client.get(url)
        body = response.json()
        seen += [user["id"] for user in body["results"]]
        url = body["next"]
        if url:
            assert f'<{url}>; rel="next"' in response["Link"]
        if body["previous"]:
            assert f'<{body["previous"]}>; rel="prev"' in response["Link"]
    assert seen == [7, 6, 5, 4, 3, 2, 1]

    back = client.get(body["previous"]).json()
    assert [user["id"] for user in back["results"]] == [4, 3, 2]


def test_a_user_with_no_followers_has_empty_lists(client):
    for path in ("followers", "following"):
        assert client.get(f"/api/v1/users/12345/{path}").json()["results"] == []


def test_followers_unknown_to_everyone_render_as_placeholders(client):
    follows_at([(55, 9)])  # no replica row, and the test users service refuses connections
    assert client.get("/api/v1/users/9/followers").json()["results"] == [
        {"id": 55, "username": None, "avatar_url": None}
    ]


def test_bad_pagination_parameters_are_a_400(client):
    assert client.get("/api/v1/users/9/followers?cursor=garbage").status_code == 400
    assert client.get("/api/v1/users/9/following?page_size=0").status_code == 400


@pytest.mark.parametrize("size", [1, 20, 100])
@pytest.mark.parametrize("path", ["followers", "following"])
def test_a_follow_list_page_costs_two_queries_whatever_its_size(
    client, size, path, django_assert_num_queries
):
    Author.objects.bulk_create([Author(id=i, username=f"u{i}") for i in range(1, 102)])
    pairs = [(i, 101) for i in range(1, 101)] if path == "followers" else []
    pairs = pairs or [(101, i) for i in range(1, 101)]
    Follow.objects.bulk_create([Follow(follower_id=a, followee_id=b) for a, b in pairs])

    # the follows, then their users' summaries
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/users/101/{path}?page_size={size}")

    assert len(response.json()["results"]) == size
