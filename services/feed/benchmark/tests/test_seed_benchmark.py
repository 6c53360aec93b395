"""The benchmark data set is one the services could have produced: counters match rows."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from authors.models import Author
from discovery.models import TrendingTag
from posts.models import Comment, CommentLike, Like, Post, PostImage, PostTag, Tag
from posts.selectors import post_counters
from posts.text import hashtags
from relationships.models import Block, Follow, FollowRequest, Mute
from shared.counters import find_drift
from social.models import UserStats
from social.selectors import user_stats_counters
from timeline.models import InboxEntry, MergedAuthor
from timeline.services import fill_inboxes

pytestmark = pytest.mark.django_db


def test_seed_refuses_to_wipe_without_confirmation():
    with pytest.raises(CommandError):
        call_command("seed_benchmark", "--users", "5", "--posts", "5")


def test_seeded_counters_match_the_rows():
    call_command(
        "seed_benchmark",
        "--yes",
        "--users",
        "50",
        "--follows-per-user",
        "10",
        "--posts",
        "400",
        stdout=None,
    )
    assert Author.objects.count() == 50
    assert Post.objects.count() == 400
    assert Follow.objects.exists()
    assert not Follow.objects.filter(follower_id=F("followee_id")).exists()
    images = dict(PostImage.objects.values_list("post_id").annotate(n=Count("id")))
    per_post = [images.get(post_id, 0) for post_id in Post.objects.values_list("id", flat=True)]
    assert set(per_post) == {0, 1, 2}
    assert not PostImage.objects.exclude(position__lt=2).exists()

    likes = dict(Like.objects.values_list("post_id").annotate(n=Count("id")))
    comments = dict(Comment.objects.values_list("post_id").annotate(n=Count("id")))
    for post in Post.objects.all():
        assert post.like_count == likes.get(post.id, 0)
        assert post.comment_count == comments.get(post.id, 0)

    for stats in UserStats.objects.all():
        assert stats.posts_count == Post.objects.filter(author_id=stats.user_id).count()
        assert stats.followers_count == Follow.objects.filter(followee_id=stats.user_id).count()
        assert stats.following_count == Follow.objects.filter(follower_id=stats.user_id).count()

    # The inboxes hold the window already: filling them again adds nothing.
    assert InboxEntry.objects.exists()
    assert fill_inboxes() == 0


def test_seeded_privacy_is_a_state_the_services_could_have_produced():
    call_command(
        "seed_benchmark",
        "--yes",
        "--users",
        "60",
        "--follows-per-user",
        "15",
        "--posts",
        "100",
        "--private-every",
        "5",
        "--blocks-per-user",
        "3",
        stdout=None,
    )
    private = set(Author.objects.filter(is_private=True).values_list("id", flat=True))
    assert private == set(range(5, 61, 5))
    assert Block.objects.exists()
    assert Mute.objects.exists()
    assert FollowRequest.objects.exists()
    assert not Block.objects.filter(blocker_id=F("blocked_id")).exists()
    blocked = {pair for block in Block.objects.all() for pair in _both_ways(block)}
    # A block removed the follows both ways, and no one blocked asks to follow.
    assert not blocked & set(Follow.objects.values_list("follower_id", "followee_id"))
    requests = set(FollowRequest.objects.values_list("requester_id", "target_id"))
    assert not blocked & requests
    assert {target for _, target in requests} <= private
    assert not requests & set(Follow.objects.values_list("follower_id", "followee_id"))
    # Counters count the follows that remain.
    for stats in UserStats.objects.all():
        assert stats.followers_count == Follow.objects.filter(followee_id=stats.user_id).count()


def test_seeded_hashtags_and_words_are_what_posting_them_would_have_stored():
    call_command(
        "seed_benchmark", "--yes", "--users", "20", "--posts", "300", "--tags", "30", stdout=None
    )
    tagged = dict(PostTag.objects.values_list("tag_id").annotate(n=Count("id")))
    assert tagged
    for tag in Tag.objects.all():
        assert tag.post_count == tagged.get(tag.id, 0)
    for post in Post.objects.all():
        # The body's hashtags are the post's tags, in order; one search word each.
        assert hashtags(post.body) == list(
            PostTag.objects.filter(post=post)
            .order_by("position")
            .values_list("tag__name", flat=True)
        )
        assert re.search(r"\bword\d+\b", post.body)
        assert PostTag.objects.filter(post=post, created_at=post.created_at).count() == len(
            hashtags(post.body)
        )
    assert TrendingTag.objects.exists()


def _both_ways(block: Block) -> list[tuple[int, int]]:
    return [(block.blocker_id, block.blocked_id), (block.blocked_id, block.blocker_id)]


def test_floor_view_is_not_routed_by_default(client):
    assert client.get("/api/v1/feed/_floor").status_code == 404


def test_the_fan_out_accounts_are_seeded_as_the_services_would_leave_them(settings):
    # More than any of the 30 seeded users can have (29 at most): only the added are over.
    settings.FANOUT_MAX_FOLLOWERS = 40
    call_command(
        "seed_benchmark", "--yes", "--users", "30", "--follows-per-user", "3", "--posts", "200"
    )
    out = io.StringIO()
    call_command(
        "seed_fanout_accounts",
        "--fans",
        "100",
        "--big",
        "2",
        "--small-followers",
        "5",
        "--posts-each",
        "3",
        "--viewers",
        "1,2,3",
        stdout=out,
        stderr=io.StringIO(),
    )
    ids = json.loads(out.getvalue())

    followers = dict(UserStats.objects.values_list("user_id", "followers_count"))
    assert followers[ids["huge"]] == 103  # the fans and the viewers
    assert [followers[b] for b in ids["big"]] == [51, 51]  # the threshold + 20%, and viewers
    assert (followers[ids["edge"]], followers[ids["small"]]) == (ids["threshold"], 5) == (40, 5)
    merged = set(MergedAuthor.objects.values_list("author_id", flat=True))
    assert merged == {ids["huge"], *ids["big"]}
    assert [find_drift(counter)[0] for counter in user_stats_counters()] == [0, 0, 0]
    # The inboxes hold what posting would have left in them: a fill adds nothing.
    assert fill_inboxes() == 0


def test_seeded_threads_are_one_level_deep_and_their_counters_match():
    call_command(
        "seed_benchmark",
        "--yes",
        "--users",
        "30",
        "--follows-per-user",
        "5",
        "--posts",
        "200",
        "--threads",
        "10",
        stdout=None,
    )
    replies = Comment.objects.filter(parent__isnull=False)
    assert replies.exists()
    assert not replies.filter(parent__parent__isnull=False).exists()
    assert not replies.exclude(post_id=F("parent__post_id")).exists()
    assert CommentLike.objects.exists()
    for counter in post_counters():
        assert find_drift(counter)[0] == 0, counter.name
