"""Test helpers both services use: real threads released at the same moment, each on its own
database connection (for the races that unique constraints and row locks must survive), hostile
image files, the service's routes that take a database id, access tokens, events applied as
the consumer applies them, and a broker exchange and queues of a test's own."""

import re
import struct
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver


def run_concurrently(
    count: int, work: Callable[[int], object], *, timeout: float = 60
) -> list[object]:
    """Run `work(i)` in `count` threads released together; return results (or exceptions).

    A thread still running after `timeout` seconds fails the test rather than hanging it.
    """
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"a concurrent worker was still running after {timeout}s")
    return results


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# A path parameter declared `<str:...>` is text by its declaration (a hashtag's name), not an
# id: every other parameter is one.
_PARAMETER = re.compile(r"<(?!str:)[^>]+>")


def id_routes() -> list[str]:
    """Every API route (`/api/...`, `/internal/...`) with a path parameter that is not text,
    as written (`/api/v1/posts/<id:post_id>`): for the tests that hold each id in a path to
    `shared.ids`.
    """

    def walk(patterns: list, prefix: str) -> Iterator[str]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and _PARAMETER.search(route):
                yield route

    routes = walk(get_resolver().url_patterns, "/")
    return [route for route in routes if route.startswith(("/api/", "/internal/"))]


def with_ids(route: str, value: str) -> str:
    """`route` with every id parameter replaced by `value` (and any text one by `x`)."""
    return re.sub(r"<str:[^>]+>", "x", _PARAMETER.sub(value, route))


def access_token(user_id: int, *, sid: int | None = None) -> str:
    """A real access token for `user_id` (of sign-in `sid`), signed as the users service signs."""
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken()
    token["user_id"] = str(user_id)
    token["username"] = f"user{user_id}"
    if sid is not None:
        token["sid"] = sid
    return str(token)


def apply_event(
    event_type: str, aggregate_id: int, payload: dict[str, Any], *, sequence: int = 1
) -> bool:
    """Apply an event as the service's consumer does: once, in its transaction, through the
    handler its `EVENT_HANDLERS` name for the type. True if it was applied now."""
    from django.utils import timezone

    from shared.events.consumer import apply_once, configured_handlers
    from shared.events.message import Event

    event = Event(
        id=uuid.uuid4(),
        type=event_type,
        aggregate_id=aggregate_id,
        sequence=sequence,
        occurred_at=timezone.now(),
        producer=event_type.split(".")[0],
        request_id="",
        payload=payload,
    )
    return apply_once(event, configured_handlers()[event_type])


@contextmanager
def isolated_broker(settings: Any) -> Iterator[None]:
    """Point the events settings (pytest-django's `settings`) at an exchange and queues of the
    test's own, a fresh service name, for the block; fail at once without a broker; delete them
    afterwards."""
    import pytest

    from shared.events import broker

    name = f"test-{uuid.uuid4().hex[:10]}"
    settings.EVENTS_SERVICE = name
    settings.EVENTS_EXCHANGE = f"{name}.exchange"
    try:
        broker.connect().close()
    except broker.BROKER_ERRORS as exc:
        pytest.fail(f"no broker at BROKER_URL (make test starts one): {exc}")
    try:
        yield
    finally:
        cleanup = broker.connect()
        channel = cleanup.channel()
        for queue in (broker.queue_name(), broker.dead_letter_queue_name()):
            channel.queue_delete(queue)
        channel.exchange_delete(settings.EVENTS_EXCHANGE)
        cleanup.close()
