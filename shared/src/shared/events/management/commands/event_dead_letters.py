"""`manage.py event_dead_letters`: list, replay or discard this service's dead letters."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared.events.dead_letters import (
    discard_dead_letters,
    list_dead_letters,
    replay_dead_letters,
)


class Command(BaseCommand):
    help = (
        "List the events this service's consumer gave up on (one JSON object a line), or "
        "--replay them (all, or --id ...) into its queue once the cause is fixed, or --discard."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--replay", action="store_true", help="Send them back to the queue.")
        action.add_argument("--discard", action="store_true", help="Drop them (needs --id).")
        parser.add_argument("--id", action="append", dest="ids", help="An event id (repeatable).")
        parser.add_argument("--limit", type=int, default=100, help="List at most this many.")

    def handle(
        self,
        *args: Any,
        replay: bool = False,
        discard: bool = False,
        ids: list[str] | None = None,
        limit: int = 100,
        **options: Any,
    ) -> None:
        wanted = set(ids) if ids else None
        if replay:
            done = replay_dead_letters(ids=wanted)
            self.stdout.write(f"replayed {len(done)} dead letter(s)")
            return
        if discard:
            if not wanted:
                raise CommandError("--discard needs the --id of each dead letter to drop.")
            done = discard_dead_letters(ids=wanted)
            self.stdout.write(f"discarded {len(done)} dead letter(s)")
            return
        for letter in list_dead_letters(limit=limit):
            self.stdout.write(json.dumps(letter.summary()))
