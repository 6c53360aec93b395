"""The Mastodon layer's reads that the native selectors do not answer in one statement.

An Account is the replica's profile and the stored counters (`account_rows`). The home
timeline's Statuses need, beside the native post rows, their authors' Accounts
(the replica's name and privacy, the stored counters): a second statement a page when asked
for after the rows. `home_page` runs the native timeline's own page statement
(`timeline.selectors`) with those columns joined onto its rows instead, so a page is one
statement, as natively.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from psycopg2 import sql

from authors.models import Author
from posts.selectors import POSITION_TYPES, PostRow, post_rows
from shared import prepared
from shared.pagination import Cursor, Keyset
from social.models import UserStats
from timeline.selectors import _page_statement
from timeline.services import inbox_window


@dataclass(slots=True)
class AccountRow:
    """An author's Account columns as `home_page` reads them beside their post."""

    user_id: int
    username: str
    avatar_url: str | None
    name: str
    is_private: bool
    posts_count: int
    followers_count: int
    following_count: int


def account_rows(user_ids: Iterable[int]) -> dict[int, AccountRow]:
    """The Account columns of each user the replica holds (not deleted, not missing): one
    statement."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _accounts_statement(), {"ids": list(user_ids)})
        return {row[0]: AccountRow(*row) for row in cursor.fetchall()}


@functools.cache
def _accounts_statement() -> str:
    author, stats = Author._meta.db_table, UserStats._meta.db_table
    # Table names come from the models; the ids are a parameter. The same text every time: the
    # key of its prepared statement (every Status list runs it once a page).
    return f"""
        SELECT a.id, a.username, a.avatar_url, a.name, a.is_private,
               coalesce(s.posts_count, 0), coalesce(s.followers_count, 0),
               coalesce(s.following_count, 0)
        FROM {author} a LEFT JOIN {stats} s ON s.user_id = a.id
        WHERE a.id = ANY(%(ids)s) AND a.deleted_at IS NULL AND a.missing_since IS NULL
    """  # noqa: S608


def home_page(
    *, viewer_id: int, cursor: Cursor | None, limit: int
) -> tuple[list[PostRow], dict[int, AccountRow]]:
    """`timeline.selectors.timeline_page` (the same rows, in the same order), with the Account
    columns of each author the replica holds (a deleted or missing one is left out, for
    `entities.accounts` to summarize as every author is)."""
    keyset = Keyset.of(cursor)
    statement = _home_statement(keyset, int(limit), inbox=bool(inbox_window()))
    params = {"viewer": viewer_id, **keyset.sql_params(cursor, POSITION_TYPES)}
    rows = post_rows(statement, params, viewer_id=viewer_id)
    found: dict[int, AccountRow] = {}
    for row in rows:
        # `post_rows` hands the columns after the native ones over as the row's `position`
        # (a keyed list's); these are the Account's, and the home timeline has no position.
        known, name, is_private, posts, followers, following = row.position
        row.position = None
        if known and row.author is not None:
            found[row.author_id] = AccountRow(
                user_id=row.author_id,
                username=row.author["username"],
                avatar_url=row.author["avatar_url"],
                name=name,
                is_private=is_private,
                posts_count=posts or 0,
                followers_count=followers or 0,
                following_count=following or 0,
            )
    return rows, found


@prepared.statement
def _home_statement(keyset: Keyset, limit: int, *, inbox: bool) -> sql.Composed:
    """The native page statement (its text, parameters and order kept), each row followed by
    its author's Account columns: two primary-key probes a post."""
    return sql.SQL(
        """
        SELECT page.*, account.known, account.name, account.is_private,
               stats.posts_count, stats.followers_count, stats.following_count
        FROM ({native}) AS page
        LEFT JOIN LATERAL (
            SELECT true AS known, author.name, author.is_private FROM {authors} AS author
            WHERE author.id = page.author_id
              AND author.deleted_at IS NULL AND author.missing_since IS NULL
            LIMIT 1
        ) AS account ON true
        LEFT JOIN LATERAL (
            SELECT stats.posts_count, stats.followers_count, stats.following_count
            FROM {stats} AS stats WHERE stats.user_id = page.author_id LIMIT 1
        ) AS stats ON true
        ORDER BY {order}
        """
    ).format(
        native=sql.SQL(_page_statement(keyset, limit, inbox=inbox)),
        authors=sql.Identifier(Author._meta.db_table),
        stats=sql.Identifier(UserStats._meta.db_table),
        order=keyset.sql_order(sql.SQL("page.created_at"), sql.SQL("page.id")),
    )
