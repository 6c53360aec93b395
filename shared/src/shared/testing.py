"""Test helpers both services use: real threads released at the same moment, each on its own
database connection (for the races that unique constraints and row locks must survive), and
hostile image files."""

import struct
import threading
import zlib
from collections.abc import Callable

from django.db import connection


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
