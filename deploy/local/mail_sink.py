"""The native stack's SMTP server: accepts every message and keeps it as an .eml file.

    python deploy/local/mail_sink.py [--host 127.0.0.1] [--port 8025] [--dir var/mail]

Nothing is relayed anywhere. Each message lands in MAIL_DIR as `<time>-<n>.eml`, written to a
temporary name first and renamed, so a reader never sees half a message. Built on aiosmtpd
(pinned in requirements-dev.txt); stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

_sequence = itertools.count(1)


class SaveToFolder:
    """aiosmtpd handler: one .eml file per accepted message."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        name = f"{stamp}-{os.getpid()}-{next(_sequence):06d}.eml"
        temporary = self.folder / f".{name}.tmp"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        temporary.write_bytes(content)
        temporary.rename(self.folder / name)
        print(f"mail sink: {name} from {envelope.mail_from} to {envelope.rcpt_tos}", flush=True)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("SMTP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SMTP_PORT", "8025")))
    parser.add_argument("--dir", default=os.environ.get("MAIL_DIR", "var/mail"))
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(SaveToFolder(folder), hostname=args.host, port=args.port)
    controller.start()
    print(f"mail sink: SMTP on {args.host}:{args.port}, messages in {folder}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
        loop.close()


if __name__ == "__main__":
    main()
