"""Hot rows: many users at once on one viral post and one popular account, with real threads.

Every like of the post locks its counter and its event sequence, every follow of the account
its counters row (and, over the fan-out threshold, reads its merged row FOR SHARE): the writes
queue on those rows for a moment, and the counters stay exact, as the drift check recounts them.
"""

import io

import pytest
from django.core.management import call_command

from actions.follows import follow_user, unfollow_user
from actions.posts import create_post
from posts.models import Like, Post
from posts.services import like_post, unlike_post
from posts.tests.factories import AuthorFactory
from relationships.models import Follow
from shared.testing import run_concurrently
from social.models import UserStats
from timeline.models import InboxCoverage, MergedAuthor
from timeline.tests.fanout import run_fanout
from timeline.tests.test_inbox import ALWAYS

pytestmark = pytest.mark.django_db(transaction=True)

USERS = list(range(10, 26))  # sixteen, as the benchmark's connections


def no_drift() -> str:
    out = io.StringIO()
    call_command("check_counters", stdout=out)  # raises CommandError on any drift
    return out.getvalue()


def test_sixteen_users_liking_and_unliking_one_post_keep_its_count_exact():
    for user_id in [2, *USERS]:
        AuthorFactory(id=user_id)
    post = create_post(author_id=2, title="viral")

    def toggle(i: int) -> None:
        for round_ in range(6):
            if (i + round_) % 3:
                like_post(user_id=USERS[i], post=post)
            else:
                unlike_post(user_id=USERS[i], post=post)

    results = run_concurrently(len(USERS), toggle)

    assert not [r for r in results if isinstance(r, Exception)], results
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() > 0
    no_drift()


def test_sixteen_users_following_a_popular_account_while_it_posts_keep_every_count_exact(
    settings,
):
    # Over the threshold from the fourth follower on: the account becomes merged at its next
    # post's fan-out, mid-race, and its follows then copy nothing.
    settings.FANOUT_MAX_FOLLOWERS = 3
    InboxCoverage.objects.update_or_create(id=1, defaults={"complete_since": ALWAYS})
    for user_id in [2, *USERS]:
        AuthorFactory(id=user_id)

    def work(i: int) -> None:
        if i < len(USERS):
            for round_ in range(4):
                if (i + round_) % 3:
                    follow_user(follower_id=USERS[i], followee_id=2)
                else:
                    unfollow_user(follower_id=USERS[i], followee_id=2)
        elif i == len(USERS):
            for n in range(4):
                create_post(author_id=2, title=f"p{n}")
        else:
            for _ in range(10):
                run_fanout()

    results = run_concurrently(len(USERS) + 2, work)
    run_fanout()

    assert not [r for r in results if isinstance(r, Exception)], results
    followers = Follow.objects.filter(followee_id=2).count()
    stats = UserStats.objects.get(pk=2)
    assert (stats.followers_count, stats.posts_count) == (followers, 4)
    assert Post.objects.filter(author_id=2).count() == 4
    assert followers <= settings.FANOUT_MAX_FOLLOWERS or MergedAuthor.objects.filter(pk=2).exists()
    no_drift()
