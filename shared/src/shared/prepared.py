"""Run a hot, hand-written statement as a server-side prepared statement (psycopg2).

Postgres spends about as long parsing and planning a statement like the feed's timeline page as
it does running it. A prepared statement is planned once per connection, then only executed.
psycopg2 has no protocol-level preparation, so this uses SQL `PREPARE` / `EXECUTE`, sent as one
string (one round trip, one query as Django counts them) the first time a connection sees the
statement, and `EXECUTE` alone after that.

Prepared statements live as long as the database session and survive a rollback, so which
statements a connection holds is tracked per raw connection object: a reconnect starts afresh.
A first attempt that fails may or may not have left its statement behind, so every attempt uses
a new name and an attempt that failed is never assumed to exist.

Statements are composed with psycopg2's `sql` module and turned into text once per shape of
request (`statement`): that text, the same string object every time, is the key here.

Behind a transaction-mode pooler (PgBouncer), SQL-level prepared statements break: set
`DB_PREPARED_STATEMENTS=false` there and statements are sent plainly.
"""

import functools
import hashlib
import itertools
import re
import weakref
from collections.abc import Callable
from typing import Any, ParamSpec

from django.db import connections
from psycopg2 import sql

from shared.env import env

_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")
_attempts = itertools.count()


class _Prepared:
    """What one raw connection has prepared: statement text -> (EXECUTE text, parameter order)."""

    def __init__(self, raw: object) -> None:
        self.raw = raw
        self.statements: dict[str, tuple[str, list[str]]] = {}


# Keyed by Django's connection wrapper (one per thread and alias); the raw connection it holds
# is compared on each use, since Django replaces it on reconnect.
_state: "weakref.WeakKeyDictionary[Any, _Prepared]" = weakref.WeakKeyDictionary()


P = ParamSpec("P")


def render(statement: sql.Composable, *, using: str = "default") -> str:
    """The text of a composed statement (psycopg2 quotes identifiers and literals for the
    connection's encoding, so it needs one)."""
    wrapper = connections[using]
    wrapper.ensure_connection()
    return statement.as_string(wrapper.connection)


def statement(build: Callable[P, sql.Composable]) -> Callable[P, str]:
    """Cache a statement builder: `build` runs once per distinct (hashable) arguments, and its
    statement is rendered to text once. A hot read then passes the same text to `execute`
    every time; keep the arguments to the shape of a request (directions, page sizes), never
    its values."""

    @functools.cache
    def text(*args: P.args, **kwargs: P.kwargs) -> str:
        return render(build(*args, **kwargs))

    functools.update_wrapper(text, build)
    return text


# Read once: this runs on every hot read.
ENABLED = env.bool("DB_PREPARED_STATEMENTS", default=True)


def name_prefix(sql: str) -> str:
    """How the names of the statements prepared for `sql` begin (each attempt adds a number):
    what a test looks for among the captured `EXECUTE`s."""
    return f"hot_{hashlib.blake2s(sql.encode(), digest_size=6).hexdigest()}_"


def execute(cursor: Any, sql: str, params: dict[str, Any], *, using: str = "default") -> None:
    """`cursor.execute(sql, params)`, prepared: `sql` uses only `%(name)s` placeholders."""
    if not ENABLED:
        cursor.execute(sql, params)
        return
    wrapper = connections[using]
    state = _state.get(wrapper)
    if state is None or state.raw is not wrapper.connection:
        state = _state[wrapper] = _Prepared(wrapper.connection)
    known = state.statements.get(sql)
    if known is not None:
        execute_sql, order = known
        cursor.execute(execute_sql, [params[key] for key in order])
        return
    order: list[str] = []

    def positional(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in order:
            order.append(key)
        return f"${order.index(key) + 1}"

    # The body goes through psycopg2's formatting as well, so a literal %% in it stays doubled.
    body = _NAMED_PARAMETER.sub(positional, sql)
    name = f"{name_prefix(sql)}{next(_attempts)}"
    arguments = ", ".join(["%s"] * len(order))
    execute_sql = f"EXECUTE {name}({arguments})" if order else f"EXECUTE {name}"
    cursor.execute(f"PREPARE {name} AS {body}; {execute_sql}", [params[key] for key in order])
    state.statements[sql] = (execute_sql, order)
