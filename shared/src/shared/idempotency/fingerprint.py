"""What makes two requests "the same request" for an Idempotency-Key.

The fingerprint is a sha256 over the method, the path, the query string, the media type with its
parameters, and the raw body bytes. Two details matter:

- Multipart bodies are delimited by a boundary the client picks at random for every request
  (`requests`, browsers and most HTTP libraries do), so a faithful retry of an upload rarely
  has the same bytes. Each delimiter (`--<boundary>`) is hashed as a fixed marker instead, which
  keeps every part's headers and content, in order, in the fingerprint.
- The body is read here, before the view, from the raw stream and never through
  `request.body` (capped by DATA_UPLOAD_MAX_MEMORY_SIZE and held in memory): it is copied,
  chunk by chunk, into a spooled temporary file (in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE,
  on disk beyond) that then replaces the request's stream, so Django's parsers and upload
  handlers read the very same bytes afterwards.
"""

import hashlib
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import parse_header_parameters

CHUNK_SIZE = 64 * 1024
_DELIMITER_MARKER = b"\x00multipart-delimiter\x00"
SPOOL_ATTRIBUTE = "_idempotency_spool"


class _BoundaryBlindHasher:
    """Hash a multipart body with each `--boundary` replaced by a fixed marker, in a stream."""

    def __init__(self, digest: Any, boundary: bytes) -> None:
        self._digest = digest
        self._delimiter = b"--" + boundary
        self._tail = b""

    def update(self, chunk: bytes) -> None:
        pieces = (self._tail + chunk).split(self._delimiter)
        for piece in pieces[:-1]:
            self._digest.update(piece)
            self._digest.update(_DELIMITER_MARKER)
        # The end may hold the start of a delimiter that the next chunk completes.
        last, keep = pieces[-1], len(self._delimiter) - 1
        self._digest.update(last[:-keep] if len(last) > keep else b"")
        self._tail = last[-keep:] if len(last) > keep else last

    def finish(self) -> None:
        self._digest.update(self._tail)
        self._tail = b""


def _field(value: str) -> bytes:
    # Length-prefixed, so that no two different (method, path, ...) tuples hash alike.
    raw = value.encode("utf-8", "surrogatepass")
    return len(raw).to_bytes(4, "big") + raw


def fingerprint(request: HttpRequest) -> str:
    """Return the request's fingerprint; afterwards the body is read from a spooled copy.

    Call before anything has read the request body (the middleware runs before the view).
    """
    content_type = request.META.get("CONTENT_TYPE", "")
    media_type, params = parse_header_parameters(content_type) if content_type else ("", {})
    boundary = params.pop("boundary", "") if media_type.startswith("multipart/") else ""
    canonical_type = ";".join([media_type, *(f"{k}={v}" for k, v in sorted(params.items()))])

    digest = hashlib.sha256()
    for value in (request.method or "", request.path_info, request.META.get("QUERY_STRING", "")):
        digest.update(_field(value))
    digest.update(_field(canonical_type))

    if boundary:
        # UTF-8: a `boundary*=` parameter may decode to any character (Django's multipart
        # parser then refuses it with a 400); latin-1 would raise on those here, a 500.
        hasher = _BoundaryBlindHasher(digest, boundary.encode("utf-8"))
        _read_body(request, hasher.update)
        hasher.finish()
    else:
        _read_body(request, digest.update)
    return digest.hexdigest()


def _read_body(request: HttpRequest, update: Callable[[bytes], object]) -> None:
    # Django's private request attributes, used deliberately: `_body` is the cached body when
    # something already read it whole; `_stream` is the raw input that `read()` and the upload
    # handlers consume; `_read_started` says whether that has begun.
    if hasattr(request, "_body"):
        update(request._body)
        return
    if request._read_started:
        raise RuntimeError(
            "The request body was consumed before IdempotencyMiddleware could fingerprint it; "
            "the middleware must run before anything reads request.POST or request.FILES."
        )
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by the middleware
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    try:
        while chunk := request._stream.read(CHUNK_SIZE):
            update(chunk)
            spool.write(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    request._stream = spool
    setattr(request, SPOOL_ATTRIBUTE, spool)


def close_spool(request: HttpRequest) -> None:
    spool = request.__dict__.pop(SPOOL_ATTRIBUTE, None)
    if spool is not None:
        spool.close()
