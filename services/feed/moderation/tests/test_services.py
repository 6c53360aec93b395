"""Reports and their resolution against real Postgres: one open report per reporter and
target, resolving every report on a target at once, removal through the deleting functions."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound

from actions.posts import create_post
from moderation.models import ModerationAction, Report
from moderation.services import report_target, resolve_report
from posts.models import Comment, Post
from posts.services import add_comment
from posts.tests.factories import AuthorFactory
from relationships.tests.factories import BlockFactory
from shared.testing import run_concurrently
from social.models import UserStats
from timeline.models import InboxEntry


def report(reporter_id: int, target_type: str, target_id: int, **extra) -> tuple[Report, bool]:
    return report_target(
        reporter_id=reporter_id,
        target_type=target_type,
        target_id=target_id,
        reason=extra.pop("reason", "spam"),
        **extra,
    )


@pytest.fixture
def post() -> Post:
    AuthorFactory(id=1)
    return create_post(author_id=1, title="buy my stuff")


# --- reporting --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_report_is_open_with_its_reason_and_note(post):
    made, created = report(2, "post", post.pk, reason="hate", note="look at the title")

    assert created is True
    row = Report.objects.get()
    assert (row.pk, row.reporter_id, row.target_type, row.target_id) == (
        made.pk,
        2,
        "post",
        post.pk,
    )
    assert (row.reason, row.note, row.status) == ("hate", "look at the title", "open")


@pytest.mark.django_db
def test_reporting_the_same_target_again_while_open_returns_the_first_report_unchanged(post):
    first, _ = report(2, "post", post.pk, reason="spam")

    again, created = report(2, "post", post.pk, reason="hate", note="changed my mind")

    assert created is False
    assert again.pk == first.pk
    assert (again.reason, again.note) == ("spam", "")
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_other_reporters_and_other_targets_make_reports_of_their_own(post):
    AuthorFactory(id=3)
    report(2, "post", post.pk)
    report(3, "post", post.pk)
    report(2, "user", 1)

    assert Report.objects.count() == 3


@pytest.mark.django_db
def test_once_resolved_the_same_reporter_may_report_the_target_again(post):
    first, _ = report(2, "post", post.pk)
    resolve_report(report_id=first.pk, moderator_id=900, action="dismiss")

    second, created = report(2, "post", post.pk)

    assert created is True
    assert second.pk != first.pk


@pytest.mark.django_db
@pytest.mark.parametrize("target_type", ["post", "comment"])
def test_reporting_content_that_does_not_exist_is_not_found(target_type):
    with pytest.raises(NotFound):
        report(2, target_type, 4242)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_reporting_a_user_the_users_service_does_not_know_is_not_found(users_service):
    with pytest.raises(NotFound):
        report(2, "user", 4242)


@pytest.mark.django_db
def test_reporting_a_deleted_user_is_not_found():
    AuthorFactory(id=5, deleted_at="2026-12-01T00:00:00Z")
    with pytest.raises(NotFound):
        report(2, "user", 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("blocker", "blocked"), [(1, 2), (2, 1)], ids=["author-blocks", "reporter-blocks"]
)
def test_content_across_a_block_is_not_found_for_the_reporter(post, blocker, blocked):
    comment = add_comment(post=post, author_id=1, body="hello")
    BlockFactory(blocker_id=blocker, blocked_id=blocked)

    for target_type, target_id in (("post", post.pk), ("comment", comment.pk)):
        with pytest.raises(NotFound):
            report(2, target_type, target_id)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_comment_by_someone_in_a_block_with_the_reporter_is_not_found(post):
    AuthorFactory(id=3)
    comment = add_comment(post=post, author_id=3, body="hello")
    BlockFactory(blocker_id=3, blocked_id=2)

    with pytest.raises(NotFound):
        report(2, "comment", comment.pk)
    assert report(4, "comment", comment.pk)[1] is True


@pytest.mark.django_db
def test_a_private_accounts_post_is_not_found_for_a_non_follower():
    AuthorFactory(id=1, is_private=True)
    private = create_post(author_id=1, title="mine")

    with pytest.raises(NotFound):
        report(2, "post", private.pk)
    assert report(1, "post", private.pk)[1] is True


@pytest.mark.django_db
def test_an_account_that_blocks_the_reporter_is_not_found_but_one_they_block_can_be_reported():
    AuthorFactory(id=1)
    AuthorFactory(id=3)
    BlockFactory(blocker_id=1, blocked_id=2)
    BlockFactory(blocker_id=2, blocked_id=3)

    with pytest.raises(NotFound):
        report(2, "user", 1)
    assert report(2, "user", 3)[1] is True


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_reports_by_one_reporter_leave_one_open_report(post):
    results = run_concurrently(20, lambda _: report(2, "post", post.pk))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False] * 19 + [True]
    assert len({made.pk for made, _ in results}) == 1
    assert Report.objects.filter(status="open").count() == 1


@pytest.mark.django_db(transaction=True)
def test_reports_racing_their_resolution_never_fail_and_leave_at_most_one_open(post):
    first, _ = report(2, "post", post.pk)

    def work(i: int) -> object:
        if i % 4 == 0:
            return resolve_report(report_id=first.pk, moderator_id=900, action="dismiss")
        return report(2, "post", post.pk)

    results = run_concurrently(12, work)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Report.objects.filter(status="open").count() <= 1


# --- resolving --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dismissing_resolves_every_open_report_on_the_target_and_records_who_did_what(post):
    AuthorFactory(id=3)
    other, _ = report(2, "user", 1)
    first, _ = report(2, "post", post.pk)
    second, _ = report(3, "post", post.pk)

    record = resolve_report(report_id=second.pk, moderator_id=900, action="dismiss")

    assert (record.moderator_id, record.action, record.target_type, record.target_id) == (
        900,
        "dismiss",
        "post",
        post.pk,
    )
    assert record.created_at is not None
    resolved = Report.objects.filter(pk__in=[first.pk, second.pk])
    assert {(r.status, r.resolution_id) for r in resolved} == {("resolved", record.pk)}
    assert all(r.resolved_at for r in resolved)
    assert Report.objects.get(pk=other.pk).status == "open"
    assert Post.objects.filter(pk=post.pk).exists()


@pytest.mark.django_db
def test_removing_a_post_deletes_it_as_its_author_would_counters_and_inboxes_included(post):
    made, _ = report(2, "post", post.pk)
    assert UserStats.objects.get(pk=1).posts_count == 1
    assert InboxEntry.objects.filter(post_id=post.pk).exists()

    record = resolve_report(report_id=made.pk, moderator_id=900, action="remove")

    assert record.removed_content is True
    assert not Post.objects.filter(pk=post.pk).exists()
    assert UserStats.objects.get(pk=1).posts_count == 0
    assert not InboxEntry.objects.filter(post_id=post.pk).exists()
    assert Report.objects.get(pk=made.pk).status == "resolved"


@pytest.mark.django_db
def test_removing_a_comment_deletes_it_and_uncounts_it(post):
    comment = add_comment(post=post, author_id=1, body="spam spam")
    made, _ = report(2, "comment", comment.pk)

    resolve_report(report_id=made.pk, moderator_id=900, action="remove")

    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert Post.objects.get(pk=post.pk).comment_count == 0


@pytest.mark.django_db
def test_removing_content_already_gone_resolves_and_records_that_nothing_was_removed(post):
    made, _ = report(2, "post", post.pk)
    Post.objects.filter(pk=post.pk).delete()

    record = resolve_report(report_id=made.pk, moderator_id=900, action="remove")

    assert record.removed_content is False
    assert Report.objects.get(pk=made.pk).status == "resolved"


@pytest.mark.django_db
def test_a_user_cannot_be_removed_and_nothing_is_recorded(post):
    made, _ = report(2, "user", 1)

    with pytest.raises(ValidationError):
        resolve_report(report_id=made.pk, moderator_id=900, action="remove")

    assert Report.objects.get(pk=made.pk).status == "open"
    assert not ModerationAction.objects.exists()


@pytest.mark.django_db
def test_resolving_a_missing_report_is_not_found():
    with pytest.raises(NotFound):
        resolve_report(report_id=4242, moderator_id=900, action="dismiss")


@pytest.mark.django_db
def test_a_resolved_report_keeps_its_first_resolution_when_acted_on_again(post):
    made, _ = report(2, "post", post.pk)
    first = resolve_report(report_id=made.pk, moderator_id=900, action="dismiss")

    later = resolve_report(report_id=made.pk, moderator_id=901, action="remove")

    assert Report.objects.get(pk=made.pk).resolution_id == first.pk
    assert later.removed_content is True
    assert ModerationAction.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_moderators_resolving_reports_of_one_target_at_once_neither_fail_nor_deadlock(post):
    AuthorFactory(id=3)
    reports = [report(reporter, "post", post.pk)[0] for reporter in (2, 3)]

    results = run_concurrently(
        8,
        lambda i: resolve_report(
            report_id=reports[i % 2].pk, moderator_id=900 + i, action="remove"
        ),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert not Post.objects.filter(pk=post.pk).exists()
    assert sum(record.removed_content for record in results) == 1
    assert not Report.objects.filter(status="open").exists()
    assert UserStats.objects.get(pk=1).posts_count == 0
