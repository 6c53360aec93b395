"""Timeline inboxes: fan-out on write for the recent part of every home timeline.

Each post is copied, as (owner, created_at, post), into the inbox of its author and of each of
their followers when it is posted, and a new follow copies the followee's recent posts in. A
timeline page then reads one range of its owner's inbox instead of merging every followee's
posts (see `timeline.selectors`). The inboxes keep about the last `TIMELINE_INBOX_DAYS`
(`trim_timeline_inboxes` removes older entries), `InboxCoverage` says from when they are
complete, and older pages are merged as before.
"""

from django.db import models


class InboxEntry(models.Model):
    """Post `post_id`, created at `created_at`, is on `owner_id`'s home timeline.

    The primary key (owner_id, created_at, post_id) is the one index: a page is a range of it
    read backwards, and a post is in an inbox at most once (its created_at never changes).
    `post_id` is not a foreign key: a deleted post's entries are removed by the services that
    delete it, and a stray entry is harmless (a page joins the posts and skips it).
    """

    pk = models.CompositePrimaryKey("owner_id", "created_at", "post_id")
    owner_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    post_id = models.BigIntegerField()
    # On the author's own entry only, from the post's commit until its fan-out to the followers'
    # inboxes is done (timeline.fanout): until then a follower's page merges it from here.
    fanout_pending = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name_plural = "inbox entries"
        indexes = [
            # A page's posts still being fanned out (timeline.selectors): the few of the whole
            # service, newest first from the cursor, each author probed against the follows.
            models.Index(
                models.F("created_at").desc(),
                models.F("post_id").desc(),
                "owner_id",
                name="inbox_fanout_pending",
                condition=models.Q(fanout_pending=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.post_id} in the timeline of {self.owner_id}"


class InboxCoverage(models.Model):
    """How far back the inboxes are complete: one row, kept by `timeline.services`.

    Every inbox holds every post of its owner's timeline created at or after `complete_since`
    (NULL: not yet, e.g. an existing database before `manage.py fill_timeline_inboxes`). A page
    is read from the inbox only inside that range. A fill sets it, the trimmer moves it forward
    before deleting anything older, and a follow copies in the followee's posts from it on.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    complete_since = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="inbox_coverage_one_row")
        ]

    def __str__(self) -> str:
        return f"Inboxes complete since {self.complete_since}"


class MergedAuthor(models.Model):
    """An account with too many followers to fan out (`FANOUT_MAX_FOLLOWERS`), kept by
    `timeline.fanout`: its posts are not copied into its followers' inboxes, and a follower's
    page merges them from the posts at read time.

    `refilling`: the account went back under the threshold and its recent posts are being
    copied into its followers' inboxes; until that is done its posts are both fanned out and
    merged, and then the row goes. A follow of the account reads this row FOR SHARE to decide
    whether to copy its posts, so a switch waits for the follows deciding at that moment.
    """

    author_id = models.BigIntegerField(primary_key=True)
    since = models.DateTimeField(auto_now_add=True)
    refilling = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Posts of {self.author_id} merged at read time"
