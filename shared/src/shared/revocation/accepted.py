"""The tokens each process's refusal check accepted, kept until a refusal could concern them.

Every authenticated request asks the database whether its token is refused (a deleted account,
an ended sign-in: `authentication.refused_sql`). The answer for a token changes only when one
of the rows that statement reads changes for its user, and every such change notifies: a
trigger on each of those tables (`refusal_trigger_sql`, in the migrations of the tables'
apps) sends `NOTIFY token_refusals, '<user id>'` when it commits. So a process keeps the
tokens its check accepted, listens on that channel from a thread of its own, and forgets a
user's tokens the moment a notification names the user: the next request of theirs asks the
database again. The check is the same; it is asked once per token, not once per request, on
the floor of every endpoint (docs/performance.md).

What keeps this exact:
- An answer is kept only while the listener is connected, and only if no notification
  arrived between the question and the answer (`generation`); a refusal that commits after
  the question is answered by its notification, which arrives after the answer was kept and
  removes it.
- A listener that loses its connection forgets everything and keeps nothing until it listens
  again (notifications sent meanwhile are lost). It sends `SELECT 1` every
  `KEEPALIVE_SECONDS` and uses TCP keepalives, so a connection that died without a word is
  noticed within about ten seconds; until then, and for the milliseconds between a refusal's
  commit and its notification, a kept token passes as it would have a moment earlier.
- `TOKEN_CHECK_CACHE = False` turns this off (every request asks, as before); the tests run so,
  since their transactions never commit and so never notify.
"""

import logging
import os
import select
import threading
from typing import Any

import psycopg2
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

CHANNEL = "token_refusals"
KEEPALIVE_SECONDS = 5.0
RETRY_SECONDS = 1.0
MAX_TOKENS = 100_000


def refusal_trigger_sql(table: str, user_column: str, events: str) -> tuple[str, str]:
    """Forward and reverse SQL of a trigger that notifies `CHANNEL` with the row's user id
    whenever `events` (e.g. `INSERT OR UPDATE OF deleted`) change `table`; for a migration."""
    trigger = f"{table}_token_refusal"
    forward = f"""
        CREATE OR REPLACE FUNCTION notify_token_refusal() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', to_jsonb(NEW) ->> TG_ARGV[0]);
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER {trigger} AFTER {events} ON {table}
        FOR EACH ROW EXECUTE FUNCTION notify_token_refusal('{user_column}');
    """
    return forward, f"DROP TRIGGER IF EXISTS {trigger} ON {table};"


class AcceptedTokens:
    """Per process: user id -> the (sid, iat) of tokens the refusal check accepted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[int, set[tuple[Any, ...]]] = {}
        self._count = 0
        self._generation = 0
        self._listening = False
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._listener: Any = None
        self._stopping = threading.Event()

    @staticmethod
    def enabled() -> bool:
        return getattr(settings, "TOKEN_CHECK_CACHE", True)

    def knows(self, user_id: int, key: tuple[Any, ...]) -> bool:
        """Whether this token was accepted and nothing since concerned its user."""
        if not self.enabled():
            return False
        self._start()
        return self._listening and key in self._tokens.get(user_id, ())

    def generation(self) -> int:
        """To pass to `remember`: taken before the database is asked."""
        return self._generation

    def remember(self, user_id: int, key: tuple[Any, ...], generation: int) -> None:
        """Keep an accepted token, unless a notification came in since `generation`."""
        with self._lock:
            if not self._listening or generation != self._generation:
                return
            if self._count >= MAX_TOKENS:
                self._clear()
            kept = self._tokens.setdefault(user_id, set())
            if key not in kept:
                kept.add(key)
                self._count += 1

    def listening(self) -> bool:
        return self._listening

    def forget(self, user_id: int | None) -> None:
        """Forget one user's tokens (every user's, for None)."""
        with self._lock:
            self._generation += 1
            if user_id is None:
                self._clear()
            else:
                self._count -= len(self._tokens.pop(user_id, ()))

    def _clear(self) -> None:
        self._tokens.clear()
        self._count = 0

    def _start(self) -> None:
        # One listener per process, started by its first request (a forked worker's own).
        if self._pid == os.getpid() or not self.enabled():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._listening = False
            self._clear()
        params = connections["default"].get_connection_params()
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._listen, args=(params,), name="token-refusals", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and forget everything (a test's teardown; a process just exits)."""
        self._stopping.set()
        listener, thread = self._listener, self._thread
        if listener is not None:
            listener.close()
        if thread is not None:
            thread.join(timeout=2 * KEEPALIVE_SECONDS)
        self._pid = self._thread = None

    def _listen(self, params: dict[str, Any]) -> None:
        params = {
            **params,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
        }
        while not self._stopping.is_set():
            listener = None
            try:
                listener = self._listener = psycopg2.connect(**params)
                listener.autocommit = True
                with listener.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                # Whatever was kept before may have missed a notification.
                self.forget(None)
                self._listening = True
                self._receive(listener)
            except Exception:
                # Any failure: stop trusting what was kept, and connect again.
                if self._listening and not self._stopping.is_set():
                    logger.warning("token refusal listener lost; checking every request")
            finally:
                with self._lock:
                    self._listening = False
                    self._clear()
                if listener is not None:
                    listener.close()
            self._stopping.wait(RETRY_SECONDS)

    def _receive(self, listener: Any) -> None:
        while not self._stopping.is_set():
            readable, _, _ = select.select([listener], [], [], KEEPALIVE_SECONDS)
            if not readable:
                with listener.cursor() as cursor:
                    cursor.execute("SELECT 1")
            listener.poll()
            while listener.notifies:
                payload = listener.notifies.pop(0).payload
                self.forget(int(payload) if payload.isdigit() else None)


ACCEPTED = AcceptedTokens()
