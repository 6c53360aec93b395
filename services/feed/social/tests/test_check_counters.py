"""manage.py check_counters: every stored counter recounted from its rows, drift reported and
repaired (posts.services.recount_post_counters, social.services.recount_user_stats)."""

import io

import pytest
from django.core.management import CommandError, call_command

from posts.models import Post
from posts.services import recount_post_counters
from posts.tests.factories import CommentFactory, LikeFactory, PostFactory
from shared.counters import find_drift
from social.models import UserStats
from social.selectors import user_stats_counters
from social.tests.factories import FollowFactory, UserStatsFactory

pytestmark = pytest.mark.django_db


def check(*args: str) -> str:
    out = io.StringIO()
    call_command("check_counters", *args, stdout=out)
    return out.getvalue()


def consistent_world() -> Post:
    post = PostFactory(author_id=1, like_count=2, comment_count=1)
    LikeFactory(post=post, user_id=2)
    LikeFactory(post=post, user_id=3)
    CommentFactory(post=post, author_id=2)
    FollowFactory(follower_id=2, followee_id=1)
    UserStatsFactory(user_id=1, posts_count=1, followers_count=1)
    UserStatsFactory(user_id=2, following_count=1)
    return post


def test_consistent_counters_report_no_drift():
    consistent_world()
    report = check()
    for name in ("posts.like_count", "posts.comment_count", "social.posts_count",
                 "social.followers_count", "social.following_count"):  # fmt: skip
        assert f"{name}: 0 drifted" in report


def test_drift_is_reported_with_the_rows_and_fails_the_command():
    post = consistent_world()
    Post.objects.filter(pk=post.pk).update(like_count=5)
    UserStats.objects.filter(pk=2).delete()  # follows someone, has no row
    with pytest.raises(CommandError, match="2 counter value"):
        check()
    drifted, [drift] = find_drift(user_stats_counters()[2])
    assert (drifted, drift.key, drift.stored, drift.actual) == (1, 2, 0, 1)


def test_repair_rewrites_what_drifted_and_leaves_the_rest():
    post = consistent_world()
    other = PostFactory(author_id=1)
    Post.objects.filter(pk=post.pk).update(like_count=0, comment_count=9)
    UserStats.objects.filter(pk=1).update(posts_count=0)
    report = check("--repair")
    assert "repaired" in report
    post.refresh_from_db()
    assert (post.like_count, post.comment_count) == (2, 1)
    assert UserStats.objects.get(pk=1).posts_count == 2
    other.refresh_from_db()
    assert (other.like_count, other.comment_count) == (0, 0)
    assert "posts.like_count: 0 drifted" in check()


def test_recount_post_counters_rewrites_only_drifted_rows():
    post = consistent_world()
    PostFactory(author_id=1)
    assert recount_post_counters() == 0
    Post.objects.filter(pk=post.pk).update(like_count=7)
    assert recount_post_counters() == 1
