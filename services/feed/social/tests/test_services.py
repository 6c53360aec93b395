"""The social services against real Postgres: follow rules, counters and concurrency."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound

from actions.follows import FollowOutcome, follow_user, unfollow_user
from actions.posts import create_post, delete_post
from authors.client import UsersServiceUnavailable
from authors.models import Author
from posts.tests.factories import AuthorFactory, PostFactory
from relationships.models import Follow
from relationships.services import SelfRelation
from shared.testing import run_concurrently
from social.models import UserStats
from social.services import forget_user_follows, recount_user_stats
from social.tests.factories import FollowFactory, UserStatsFactory


def counters(user_id: int) -> tuple[int, int, int]:
    """(posts, followers, following) as stored; zeros without a row."""
    row = UserStats.objects.filter(pk=user_id).first()
    if row is None:
        return (0, 0, 0)
    return (row.posts_count, row.followers_count, row.following_count)


# --- following and unfollowing ----------------------------------------------------------------


@pytest.mark.django_db
def test_follow_stores_the_follow_and_counts_it_on_both_sides():
    AuthorFactory(id=2)

    assert follow_user(follower_id=1, followee_id=2) is FollowOutcome.FOLLOWED

    assert Follow.objects.filter(follower_id=1, followee_id=2).count() == 1
    assert counters(1) == (0, 0, 1)
    assert counters(2) == (0, 1, 0)


@pytest.mark.django_db
def test_following_again_reports_existing_and_leaves_counters_alone():
    AuthorFactory(id=2)
    follow_user(follower_id=1, followee_id=2)

    assert follow_user(follower_id=1, followee_id=2) is FollowOutcome.ALREADY_FOLLOWING

    assert Follow.objects.count() == 1
    assert counters(1) == (0, 0, 1)
    assert counters(2) == (0, 1, 0)


@pytest.mark.django_db
def test_unfollow_removes_the_follow_and_decrements_both_counters():
    AuthorFactory(id=2)
    AuthorFactory(id=3)
    follow_user(follower_id=1, followee_id=2)
    follow_user(follower_id=1, followee_id=3)

    unfollow_user(follower_id=1, followee_id=2)
    unfollow_user(follower_id=1, followee_id=2)  # already gone: no second decrement

    assert list(Follow.objects.values_list("followee_id", flat=True)) == [3]
    assert counters(1) == (0, 0, 1)
    assert counters(2) == (0, 0, 0)
    assert counters(3) == (0, 1, 0)


@pytest.mark.django_db
def test_unfollowing_someone_never_followed_creates_no_counters():
    unfollow_user(follower_id=1, followee_id=2)
    assert not UserStats.objects.exists()


@pytest.mark.django_db
def test_self_follow_is_refused_before_anything_is_stored(users_service):
    with pytest.raises(SelfRelation):
        follow_user(follower_id=5, followee_id=5)
    assert not Follow.objects.exists()
    assert not UserStats.objects.exists()
    assert users_service.requests == []


@pytest.mark.django_db
def test_the_database_refuses_a_self_follow_row():
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower_id=5, followee_id=5)


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_for_the_same_pair():
    FollowFactory(follower_id=1, followee_id=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower_id=1, followee_id=2)


@pytest.mark.django_db
def test_the_database_refuses_a_negative_counter():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserStats.objects.create(user_id=1, followers_count=-1)


# --- the followee must exist ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_user_in_the_replica_is_followed_without_asking_the_users_service(users_service):
    AuthorFactory(id=2)
    assert follow_user(follower_id=1, followee_id=2) is FollowOutcome.FOLLOWED
    assert users_service.requests == []


@pytest.mark.django_db
def test_a_user_only_the_users_service_knows_is_looked_up_cached_and_followed(users_service):
    users_service.add(2, "two")

    assert follow_user(follower_id=1, followee_id=2) is FollowOutcome.FOLLOWED

    assert Author.objects.get(pk=2).username == "two"
    assert len(users_service.requests) == 1


@pytest.mark.django_db
def test_a_user_nobody_knows_is_not_found_and_nothing_is_stored(users_service):
    with pytest.raises(NotFound):
        follow_user(follower_id=1, followee_id=404)
    assert not Follow.objects.exists()
    assert not UserStats.objects.exists()


@pytest.mark.django_db
def test_a_deleted_user_is_not_found():
    Author.objects.create(id=2, username="gone", deleted_at=timezone.now())
    with pytest.raises(NotFound):
        follow_user(follower_id=1, followee_id=2)


@pytest.mark.django_db
def test_an_unknown_user_while_the_users_service_is_unreachable_is_unavailable(
    users_service_down,
):
    with pytest.raises(UsersServiceUnavailable) as raised:
        follow_user(follower_id=1, followee_id=2)
    assert raised.value.status_code == 503
    assert not Follow.objects.exists()


# --- concurrency (real threads, real Postgres) -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_follows_of_one_user_by_one_user_leave_one_follow_and_exact_counters():
    AuthorFactory(id=2)

    results = run_concurrently(20, lambda _: follow_user(follower_id=1, followee_id=2))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.value for r in results) == ["already following"] * 19 + ["followed"]
    assert Follow.objects.filter(follower_id=1, followee_id=2).count() == 1
    assert counters(1) == (0, 0, 1)
    assert counters(2) == (0, 1, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_follows_in_both_directions_between_many_users_are_all_counted():
    users = [1, 2, 3, 4]
    for user_id in users:
        AuthorFactory(id=user_id)
    # Every ordered pair, twice: A->B and B->A race each other for the same counter rows.
    pairs = [(a, b) for a in users for b in users if a != b] * 2

    results = run_concurrently(
        len(pairs), lambda i: follow_user(follower_id=pairs[i][0], followee_id=pairs[i][1])
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Follow.objects.count() == 12
    for user_id in users:
        assert counters(user_id) == (0, 3, 3)


@pytest.mark.django_db(transaction=True)
def test_concurrent_unfollows_decrement_once():
    AuthorFactory(id=2)
    follow_user(follower_id=1, followee_id=2)

    results = run_concurrently(10, lambda _: unfollow_user(follower_id=1, followee_id=2))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert not Follow.objects.exists()
    assert counters(1) == (0, 0, 0)
    assert counters(2) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_one_users_follows_and_unfollows_interleaved_never_fail_and_keep_counters_exact():
    AuthorFactory(id=2)

    def toggle(i: int) -> None:
        for round_ in range(12):
            if (i + round_) % 2:
                follow_user(follower_id=1, followee_id=2)
            else:
                unfollow_user(follower_id=1, followee_id=2)

    results = run_concurrently(8, toggle)

    assert not [r for r in results if isinstance(r, Exception)], results
    following = Follow.objects.filter(follower_id=1, followee_id=2).count()
    assert counters(1)[2] == counters(2)[1] == following <= 1


# --- posts_count, kept by the posts services -----------------------------------------------------


@pytest.mark.django_db
def test_creating_and_deleting_posts_keeps_posts_count_exact():
    first = create_post(author_id=1, title="one")
    create_post(author_id=1, title="two")
    assert counters(1) == (2, 0, 0)

    delete_post(post=first)
    delete_post(post=first)  # already gone: no second decrement

    assert counters(1) == (1, 0, 0)


@pytest.mark.django_db
def test_a_post_whose_transaction_rolls_back_is_not_counted():
    class Abort(Exception):
        pass

    def post_then_fail() -> None:
        with transaction.atomic():
            create_post(author_id=1, title="never")
            raise Abort

    with pytest.raises(Abort):
        post_then_fail()

    assert counters(1) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_by_one_author_are_all_counted():
    results = run_concurrently(10, lambda i: create_post(author_id=1, title=f"post {i}"))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert counters(1) == (10, 0, 0)


# --- account deletion and repairs ---------------------------------------------------------------


@pytest.mark.django_db
def test_forgetting_a_user_removes_their_follows_both_ways_and_fixes_everyone_elses_counters():
    for user_id in (1, 2, 3, 4):
        AuthorFactory(id=user_id)
    follow_user(follower_id=1, followee_id=2)  # 1 follows 2 and 3; 3 follows 1; 3 follows 4
    follow_user(follower_id=1, followee_id=3)
    follow_user(follower_id=3, followee_id=1)
    follow_user(follower_id=3, followee_id=4)

    forget_user_follows(user_id=1)

    assert list(Follow.objects.values_list("follower_id", "followee_id")) == [(3, 4)]
    assert not UserStats.objects.filter(pk=1).exists()
    assert counters(2) == (0, 0, 0)
    assert counters(3) == (0, 0, 1)
    assert counters(4) == (0, 1, 0)


@pytest.mark.django_db
def test_recount_rebuilds_every_counter_from_the_rows():
    FollowFactory(follower_id=1, followee_id=2)
    FollowFactory(follower_id=3, followee_id=2)
    PostFactory(author_id=2)
    PostFactory(author_id=2)
    UserStatsFactory(user_id=2, posts_count=40, followers_count=7)  # drifted
    UserStatsFactory(user_id=9, posts_count=1)  # no longer counts anything

    assert recount_user_stats() == 3

    assert counters(1) == (0, 0, 1)
    assert counters(2) == (2, 2, 0)
    assert counters(3) == (0, 0, 1)
    assert not UserStats.objects.filter(pk=9).exists()
