"""A flood of one account's events does not hold up another account's (issue 15, Recovery):
the relay takes a bounded number of each aggregate's pending events per batch."""

import time
import uuid

from tests.conftest import sign_up
from tests.events import database, wait_for

FLOOD = 600


def flood_outbox(stack, user_id: int, username: str, count: int) -> None:
    """`count` renames of one account, pending in the users outbox at once, as a burst of
    writes past every limit would leave them."""
    with database(stack, "users") as conn, conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO shared_events_outboxevent "
            "(event_id, type, aggregate_id, sequence, payload, request_id, occurred_at) "
            "SELECT gen_random_uuid(), 'users.account.updated', %s, 1000 + n, "
            "jsonb_build_object('username', %s || n, 'name', '', 'avatar_url', null), '', now() "
            "FROM generate_series(1, %s) AS n",
            [user_id, username, count],
        )
    conn.close()


def feed_username(stack, user_id: int) -> str | None:
    with database(stack, "feed") as conn, conn.cursor() as cursor:
        cursor.execute("SELECT username FROM authors_author WHERE id = %s", [user_id])
        row = cursor.fetchone()
    conn.close()
    return row[0] if row else None


def test_another_accounts_rename_arrives_within_a_second_of_a_flood(api, stack):
    """First in, first out, the rename waited for the whole flood to be applied (6.8 s behind
    1,000 renames on the 2-core machine); now it goes out with the relay's next batch."""
    flooder, other = sign_up(api), sign_up(api)
    wait_for(lambda: feed_username(stack, other.id) == other.username, "the other account")
    flood_outbox(stack, flooder.id, "flood", FLOOD)
    new_name = f"calm_{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    renamed = api.patch("/api/v1/users/me", json={"username": new_name}, headers=other.auth)
    assert renamed.status_code == 200, renamed.text
    wait_for(lambda: feed_username(stack, other.id) == new_name, "the other account's rename")
    delay = time.monotonic() - started
    flood_done = wait_for(
        lambda: feed_username(stack, flooder.id) == f"flood{FLOOD}", "the flood's last rename", 120
    )
    total = time.monotonic() - started
    print(f"another account's rename after {delay:.2f}s; the flood's {FLOOD} after {total:.2f}s")
    assert flood_done
    assert delay < 1.5
