"""The one visibility policy: may viewer V see author A's content?

- Never when either has blocked the other.
- For a private account (`Author.is_private`): only the account itself and its accepted
  followers (a pending follow request is not enough).
- Otherwise everyone, anonymous viewers (`viewer_id=None`) included.

Every read path applies it inside its own query, never over rows already fetched, so that a
page stays full and a list costs the same number of queries whatever its size. Pick the form
that fits the query (docs/visibility.md lists every read path and the test that covers it):

- `visible_q(viewer_id, author)`: the whole policy as a `Q`, for a queryset whose rows have an
  author column (`author="author_id"`), or about one fixed account (`author=7`, evaluated once
  per query). The content of that author (posts, and everything under them).
- `sql_visible(author, viewer)`: the same as a `psycopg2.sql` predicate for the hand-written
  statements (`posts.selectors`, `timeline.selectors`).
- `not_blocked_q(viewer_id, user)` / `sql_not_blocked(user, viewer)`: the block half only, for
  rows by *other* users listed under content the viewer may see (comments, likers, followers):
  a private account's comment on a public post is seen by everyone, but never by an account
  it is in a block with.
- `profile_shown_q(viewer_id, user)`: accounts themselves (search): never one that blocks the
  viewer, though the blocker still finds the blocked.
- `sql_hidden_user_ids(viewer, muted=...)`: the users hidden from the viewer by blocks (and,
  with `muted=True`, by the viewer's mutes: the home timeline and explore), as one array
  computed once per statement; each row then costs an in-memory `author <> ALL(...)`.

Writes that touch another user's content check it in their transaction, after
`relationships.services.lock_pair` (so that a block committing meanwhile is seen):
`ensure_visible` (404 when V may not see A's content: liking, commenting) and
`check_can_act_on` (404 when A blocks V, 403 when V blocks A: following, asking to follow).
A list of one account's content that comes back empty asks `explain_empty_list` why: a private
account's non-follower gets 403, a blocked one an empty list (as for a user that does not exist).
"""

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from psycopg2 import sql
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound

from authors.models import Author
from relationships.models import Block, Follow, Mute
from shared import prepared

_BLOCKS = sql.Identifier(Block._meta.db_table)
_FOLLOWS = sql.Identifier(Follow._meta.db_table)
_MUTES = sql.Identifier(Mute._meta.db_table)
_AUTHORS = sql.Identifier(Author._meta.db_table)

# The viewer of the hand-written statements: `%(viewer)s`, NULL for anonymous readers.
VIEWER = sql.SQL("%(viewer)s::bigint")


class PrivateAccount(APIException):
    """A private account's posts, followers or following, asked for by a non-follower."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "This account is private."
    default_code = "private_account"


class BlockingUser(APIException):
    """The caller blocks the account it acts on (follow, ask to follow): unblock first."""

    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "You block this account."
    default_code = "blocking"


# --- The ORM forms --------------------------------------------------------------------------


def _ref(author: str | int) -> OuterRef | int:
    return OuterRef(author) if isinstance(author, str) else author


def not_blocked_q(viewer_id: int | None, user: str | int) -> Q:
    """Rows whose `user` (a column name, or one fixed id) is in no block with the viewer.

    On a column: two `NOT IN (subquery)`, each a hashed set of the viewer's blocks built once
    per query (blocks_unique_pair, blocks_blocked), then a hash probe per row.
    """
    if viewer_id is None:
        return Q()
    if isinstance(user, str):
        return ~Q(
            **{f"{user}__in": Block.objects.filter(blocker_id=viewer_id).values("blocked_id")}
        ) & ~Q(**{f"{user}__in": Block.objects.filter(blocked_id=viewer_id).values("blocker_id")})
    return ~Q(Exists(Block.objects.filter(blocker_id=viewer_id, blocked_id=user))) & ~Q(
        Exists(Block.objects.filter(blocker_id=user, blocked_id=viewer_id))
    )


def profile_shown_q(viewer_id: int | None, user: str) -> Q:
    """Rows whose `user` column is an account whose profile the viewer may find: none that
    blocks the viewer, while a blocker still finds the blocked (the contract's rule for
    profiles and search). One `NOT IN (subquery)` over the viewer's blockers."""
    if viewer_id is None:
        return Q()
    return ~Q(**{f"{user}__in": Block.objects.filter(blocked_id=viewer_id).values("blocker_id")})


def visible_q(viewer_id: int | None, author: str | int) -> Q:
    """Rows whose author's content the viewer may see: `author` is the queryset's author column
    (`"author_id"`, `"post__author_id"`) or one fixed account's id.

    The viewer's own rows always pass; a private author's pass for an accepted follower only
    (an index probe of follows_unique_pair), and never across a block either way.
    """
    if viewer_id is not None and author == viewer_id:
        return Q()
    ref = _ref(author)
    public = ~Q(Exists(Author.objects.filter(pk=ref, is_private=True)))
    if viewer_id is None:
        return public
    follows = Q(Exists(Follow.objects.filter(follower_id=viewer_id, followee_id=ref)))
    visible = not_blocked_q(viewer_id, author) & (public | follows)
    return Q(**{author: viewer_id}) | visible if isinstance(author, str) else visible


# --- The psycopg2.sql forms -----------------------------------------------------------------


def sql_not_blocked(user: sql.Composable, viewer: sql.Composable = VIEWER) -> sql.Composed:
    """True when `user` (an expression of a bigint) and the viewer are in no block either way:
    two index-only probes. Never NULL (an anonymous viewer blocks nobody)."""
    return sql.SQL(
        "(NOT EXISTS (SELECT 1 FROM {blocks} WHERE blocker_id = {user} AND blocked_id = {viewer})"
        " AND NOT EXISTS (SELECT 1 FROM {blocks}"
        " WHERE blocker_id = {viewer} AND blocked_id = {user}))"
    ).format(blocks=_BLOCKS, user=user, viewer=viewer)


def sql_visible(
    author: sql.Composable,
    viewer: sql.Composable = VIEWER,
    *,
    is_private: sql.Composable | None = None,
) -> sql.Composed:
    """True when the viewer may see the content of `author` (an expression of a bigint: a
    column such as `post.author_id`, or a typed placeholder such as `%(author)s::bigint`,
    which Postgres then evaluates once per statement). Never NULL.

    `is_private` is the author's privacy switch when the statement already joins the author
    replica (`author.is_private`; NULL for an author the replica lacks counts as public);
    otherwise a primary-key probe of the replica reads it. A private author also costs a
    probe of follows_unique_pair, a blocked one two probes of the blocks' indexes.
    """
    private = (
        sql.SQL("EXISTS (SELECT 1 FROM {authors} WHERE id = {author} AND is_private)").format(
            authors=_AUTHORS, author=author
        )
        if is_private is None
        else sql.SQL("coalesce({}, false)").format(is_private)
    )
    return sql.SQL(
        """(coalesce({author} = {viewer}, false) OR ({not_blocked} AND (NOT {private}
            OR EXISTS (SELECT 1 FROM {follows}
                       WHERE follower_id = {viewer} AND followee_id = {author}))))"""
    ).format(
        author=author,
        viewer=viewer,
        not_blocked=sql_not_blocked(author, viewer),
        private=private,
        follows=_FOLLOWS,
    )


def sql_hidden_user_ids(viewer: sql.Composable = VIEWER, *, muted: bool) -> sql.Composed:
    """An array of the users hidden from the viewer: everyone in a block with them, and with
    `muted` everyone they mute. A subquery without outer references, so Postgres computes it
    once per statement (an InitPlan: index-only reads of blocks_unique_pair, blocks_blocked
    and mutes_unique_pair); use it as `post.author_id <> ALL({hidden})`. Empty for an
    anonymous viewer."""
    mutes = (
        sql.SQL(" UNION ALL SELECT muted_id FROM {mutes} WHERE muter_id = {viewer}").format(
            mutes=_MUTES, viewer=viewer
        )
        if muted
        else sql.SQL("")
    )
    return sql.SQL(
        "ARRAY(SELECT blocked_id FROM {blocks} WHERE blocker_id = {viewer}"
        " UNION ALL SELECT blocker_id FROM {blocks} WHERE blocked_id = {viewer}{mutes})"
    ).format(blocks=_BLOCKS, viewer=viewer, mutes=mutes)


# --- Checks ---------------------------------------------------------------------------------


@prepared.statement
def _can_see_statement() -> sql.Composed:
    return sql.SQL("SELECT {}").format(sql_visible(sql.SQL("%(author)s::bigint")))


@prepared.statement
def _relation_statement() -> sql.Composed:
    return sql.SQL(
        """
        SELECT EXISTS (SELECT 1 FROM {blocks}
                       WHERE blocker_id = %(other)s::bigint AND blocked_id = %(me)s::bigint),
               EXISTS (SELECT 1 FROM {blocks}
                       WHERE blocker_id = %(me)s::bigint AND blocked_id = %(other)s::bigint),
               EXISTS (SELECT 1 FROM {authors} WHERE id = %(other)s::bigint AND is_private),
               EXISTS (SELECT 1 FROM {follows}
                       WHERE follower_id = %(me)s::bigint AND followee_id = %(other)s::bigint)
        """
    ).format(blocks=_BLOCKS, authors=_AUTHORS, follows=_FOLLOWS)


def can_see(*, viewer_id: int | None, author_id: int) -> bool:
    """Whether the viewer may see `author_id`'s content (one query)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _can_see_statement(), {"author": author_id, "viewer": viewer_id})
        return cursor.fetchone()[0]


def ensure_visible(*, viewer_id: int | None, author_id: int, detail: str) -> None:
    """`NotFound(detail)` unless the viewer may see `author_id`'s content: what a write that
    touches it (a like, a comment) answers, as if the content did not exist."""
    if not can_see(viewer_id=viewer_id, author_id=author_id):
        raise NotFound(detail)


@prepared.statement
def _not_blocked_statement() -> sql.Composed:
    return sql.SQL("SELECT {}").format(sql_not_blocked(sql.SQL("%(user)s::bigint")))


def ensure_not_blocked(*, viewer_id: int, user_id: int, detail: str) -> None:
    """`NotFound(detail)` when the viewer and `user_id` are in a block either way: what a write
    on another user's row under content the viewer may see answers (a reply to their comment,
    a like of it), as if the row did not exist. Call after `lock_pair`. One query."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _not_blocked_statement(), {"user": user_id, "viewer": viewer_id})
        if not cursor.fetchone()[0]:
            raise NotFound(detail)


def check_can_act_on(*, actor_id: int, target_id: int) -> None:
    """Refuse an action of `actor_id` on the account `target_id` (follow, ask to follow) across
    a block: `NotFound` when the target blocks the actor (the target does not exist for them),
    `BlockingUser` (403) when the actor blocks the target. Call after `lock_pair`."""
    blocked_by_target, blocking_target = _relation(viewer_id=actor_id, owner_id=target_id)[:2]
    if blocked_by_target:
        raise NotFound("No user with that id.")
    if blocking_target:
        raise BlockingUser()


def explain_empty_list(*, owner_id: int, viewer_id: int | None) -> None:
    """Raise `PrivateAccount` (403) when a list of `owner_id`'s content (posts, followers,
    following) came back empty because the owner is private and the viewer is neither them nor
    an accepted follower. Call only for an empty page: a page with rows was visible, and a
    blocked viewer sees an empty list, as for a user that does not exist. One query."""
    if viewer_id == owner_id:
        return
    if viewer_id is None:
        if Author.objects.filter(pk=owner_id, is_private=True).exists():
            raise PrivateAccount()
        return
    blocked_by_owner, blocking_owner, private, following = _relation(
        viewer_id=viewer_id, owner_id=owner_id
    )
    if private and not (following or blocked_by_owner or blocking_owner):
        raise PrivateAccount()


def _relation(*, viewer_id: int, owner_id: int) -> tuple[bool, bool, bool, bool]:
    """(owner blocks viewer, viewer blocks owner, owner is private, viewer follows owner)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _relation_statement(), {"me": viewer_id, "other": owner_id})
        return tuple(cursor.fetchone())
