"""gunicorn's own answers to requests it cannot parse, as JSON like every other error.

A request line with raw non-ASCII bytes, more header fields than `limit_request_fields`, a
malformed chunk: gunicorn answers these before Django sees the request, with an HTML page
(`gunicorn.util.write_error`), and the gateway passes that page on. `install` (called by
`shared.gunicorn_conf`, in the master, before the workers fork) replaces that one function, which
every worker class calls, with one that writes `{"detail": ...}`. The status code is gunicorn's.
"""

import json
import socket

from gunicorn import util


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's `write_error`, with a JSON body; the message (which echoes input) is left out."""
    body = json.dumps({"detail": f"{reason}."}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_json_error
