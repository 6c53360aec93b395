"""The visibility policy in each of its forms, against real Postgres: every rule, and the ORM
and SQL forms agreeing on every case."""

import pytest
from django.db import connection
from psycopg2 import sql
from rest_framework.exceptions import NotFound

from posts.models import Post
from posts.tests.factories import AuthorFactory, CommentFactory, PostFactory
from relationships import visibility
from relationships.tests.factories import BlockFactory, FollowRequestFactory, MuteFactory
from social.tests.factories import FollowFactory

pytestmark = pytest.mark.django_db

AUTHOR, VIEWER, OTHER = 1, 2, 3


@pytest.fixture
def post() -> Post:
    AuthorFactory(id=AUTHOR)
    AuthorFactory(id=VIEWER)
    return PostFactory(author_id=AUTHOR)


def private(user_id: int = AUTHOR) -> None:
    from authors.models import Author

    Author.objects.filter(pk=user_id).update(is_private=True)


def seen_by_orm(viewer_id: int | None) -> bool:
    per_row = Post.objects.filter(visibility.visible_q(viewer_id, "author_id")).exists()
    one_author = Post.objects.filter(visibility.visible_q(viewer_id, AUTHOR)).exists()
    assert per_row == one_author
    return per_row


def seen(viewer_id: int | None) -> bool:
    """The policy's answer, checked to be the same in every form."""
    answer = visibility.can_see(viewer_id=viewer_id, author_id=AUTHOR)
    assert seen_by_orm(viewer_id) == answer
    return answer


def test_a_public_authors_content_is_seen_by_everyone(post):
    assert seen(VIEWER)
    assert seen(None)
    assert seen(AUTHOR)


def test_a_private_authors_content_is_seen_by_itself_and_accepted_followers_only(post):
    private()
    assert not seen(VIEWER)
    assert not seen(None)
    assert seen(AUTHOR)
    FollowRequestFactory(requester_id=VIEWER, target_id=AUTHOR)
    assert not seen(VIEWER), "a pending request is not a follow"
    FollowFactory(follower_id=VIEWER, followee_id=AUTHOR)
    assert seen(VIEWER)


@pytest.mark.parametrize("direction", ["author blocks viewer", "viewer blocks author"])
def test_a_block_either_way_hides_the_content(post, direction):
    if direction == "author blocks viewer":
        BlockFactory(blocker_id=AUTHOR, blocked_id=VIEWER)
    else:
        BlockFactory(blocker_id=VIEWER, blocked_id=AUTHOR)
    assert not seen(VIEWER)
    assert seen(None)
    assert seen(OTHER)


def test_a_block_wins_over_a_follow(post):
    private()
    FollowFactory(follower_id=VIEWER, followee_id=AUTHOR)
    BlockFactory(blocker_id=AUTHOR, blocked_id=VIEWER)
    assert not seen(VIEWER)


def test_a_mute_does_not_hide_content_from_the_policy(post):
    MuteFactory(muter_id=VIEWER, muted_id=AUTHOR)
    assert seen(VIEWER)


def test_an_author_the_replica_lacks_counts_as_public():
    PostFactory(author_id=AUTHOR)
    assert seen(VIEWER)


def test_the_sql_form_with_the_joined_privacy_switch_agrees(post):
    private()
    statement = sql.SQL(
        "SELECT {} FROM posts_post AS post JOIN authors_author AS author"
        " ON author.id = post.author_id"
    ).format(
        visibility.sql_visible(sql.SQL("post.author_id"), is_private=sql.SQL("author.is_private"))
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, {"viewer": VIEWER})
        assert cursor.fetchone() == (False,)
        FollowFactory(follower_id=VIEWER, followee_id=AUTHOR)
        cursor.execute(statement, {"viewer": VIEWER})
        assert cursor.fetchone() == (True,)


def test_not_blocked_hides_rows_by_users_in_a_block_with_the_viewer(post):
    kept = CommentFactory(post=post, author_id=OTHER)
    CommentFactory(post=post, author_id=4)
    CommentFactory(post=post, author_id=5)
    BlockFactory(blocker_id=VIEWER, blocked_id=4)
    BlockFactory(blocker_id=5, blocked_id=VIEWER)
    comments = post.comments.filter(visibility.not_blocked_q(VIEWER, "author_id"))
    assert list(comments) == [kept]
    assert post.comments.filter(visibility.not_blocked_q(None, "author_id")).count() == 3


def test_hidden_user_ids_holds_blocks_both_ways_and_mutes_only_when_asked():
    BlockFactory(blocker_id=VIEWER, blocked_id=4)
    BlockFactory(blocker_id=5, blocked_id=VIEWER)
    MuteFactory(muter_id=VIEWER, muted_id=6)
    MuteFactory(muter_id=6, muted_id=VIEWER)
    with connection.cursor() as cursor:
        for muted, expected in [(False, [4, 5]), (True, [4, 5, 6])]:
            cursor.execute(
                sql.SQL("SELECT {}").format(visibility.sql_hidden_user_ids(muted=muted)),
                {"viewer": VIEWER},
            )
            assert sorted(cursor.fetchone()[0]) == expected
        cursor.execute(
            sql.SQL("SELECT {}").format(visibility.sql_hidden_user_ids(muted=True)),
            {"viewer": None},
        )
        assert cursor.fetchone()[0] == []


def test_ensure_visible_is_not_found_with_the_callers_detail(post):
    private()
    with pytest.raises(NotFound, match="No post"):
        visibility.ensure_visible(viewer_id=VIEWER, author_id=AUTHOR, detail="No post here.")
    visibility.ensure_visible(viewer_id=AUTHOR, author_id=AUTHOR, detail="No post here.")


def test_acting_on_an_account_across_a_block_is_404_for_the_blocked_and_403_for_the_blocker():
    visibility.check_can_act_on(actor_id=VIEWER, target_id=AUTHOR)
    BlockFactory(blocker_id=AUTHOR, blocked_id=VIEWER)
    with pytest.raises(NotFound):
        visibility.check_can_act_on(actor_id=VIEWER, target_id=AUTHOR)
    with pytest.raises(visibility.BlockingUser):
        visibility.check_can_act_on(actor_id=AUTHOR, target_id=VIEWER)


def test_an_empty_list_of_a_private_account_is_403_for_a_non_follower_only(post):
    private()
    for viewer in (VIEWER, None):
        with pytest.raises(visibility.PrivateAccount):
            visibility.explain_empty_list(owner_id=AUTHOR, viewer_id=viewer)
    visibility.explain_empty_list(owner_id=AUTHOR, viewer_id=AUTHOR)
    FollowFactory(follower_id=VIEWER, followee_id=AUTHOR)
    visibility.explain_empty_list(owner_id=AUTHOR, viewer_id=VIEWER)


def test_an_empty_list_of_an_account_in_a_block_with_the_viewer_is_just_empty(post):
    private()
    BlockFactory(blocker_id=AUTHOR, blocked_id=VIEWER)
    visibility.explain_empty_list(owner_id=AUTHOR, viewer_id=VIEWER)
    visibility.explain_empty_list(owner_id=OTHER, viewer_id=VIEWER)


def test_the_pair_lock_makes_a_second_transaction_on_the_pair_wait():
    import threading

    from django.db import connections, transaction

    from relationships.services import lock_pair

    locked, release, order = threading.Event(), threading.Event(), []

    def first():
        with transaction.atomic():
            lock_pair(AUTHOR, VIEWER)
            locked.set()
            release.wait(5)
            order.append("first")
        connections.close_all()

    def second():
        locked.wait(5)
        with transaction.atomic():
            threading.Timer(0.3, release.set).start()
            lock_pair(VIEWER, AUTHOR)
            order.append("second")
        connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second"]
