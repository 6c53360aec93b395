"""Add the accounts the hybrid fan-out is measured with to a seeded benchmark database.

After `seed_benchmark`, server-side in SQL: `--fans` follower-only accounts, then a huge account
that all of them follow, `--big` more accounts over `FANOUT_MAX_FOLLOWERS` (followed by the
first `--big-followers` fans), an account exactly at the threshold (followed by as many fans:
the largest that is still fanned out) and an ordinary one with `--small-followers`, each with
`--posts-each` recent posts. The given `--viewers` follow the huge and the big accounts. Every
counter is recounted, the accounts over the threshold become merged, and the followers of the
others get their posts in their inboxes, as posting would have left them. Prints the ids as one
line of JSON: {"huge", "big", "edge", "small", "viewers", "threshold"}.
"""

import json
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from social.services import recount_user_stats
from timeline.services import classify_authors


def table(label: str) -> str:
    return connection.ops.quote_name(apps.get_model(label)._meta.db_table)


class Command(BaseCommand):
    help = "Add huge, big, threshold and small accounts for the fan-out scenarios of make bench."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--fans", type=int, default=100_000)
        parser.add_argument("--big", type=int, default=4)
        parser.add_argument("--big-followers", type=int, default=0, help="0: the threshold + 20%%")
        parser.add_argument("--small-followers", type=int, default=100)
        parser.add_argument("--posts-each", type=int, default=30)
        parser.add_argument("--viewers", default="", help="comma-separated user ids")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = settings.FANOUT_MAX_FOLLOWERS
        fans = options["fans"]
        big_followers = options["big_followers"] or threshold + threshold // 5
        if not threshold < big_followers <= fans or options["small_followers"] > threshold:
            raise CommandError("Need small followers <= the threshold < big followers <= fans.")
        viewers = [int(v) for v in options["viewers"].split(",") if v.strip()]
        author, post, follow = (
            table("authors.Author"),
            table("posts.Post"),
            table("relationships.Follow"),
        )
        inbox, merged = table("timeline.InboxEntry"), table("timeline.MergedAuthor")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {author}")
            (last,) = cursor.fetchone()
        huge = last + 1
        big = list(range(last + 2, last + 2 + options["big"]))
        edge, small = last + 2 + options["big"], last + 3 + options["big"]
        first_fan = small + 1
        followed_by = [  # (account, how many of the fans follow it)
            (huge, fans),
            *((account, big_followers) for account in big),
            (edge, threshold),
            (small, options["small_followers"]),
        ]
        params = {"first": huge, "last": first_fan + fans - 1, "first_fan": first_fan}
        steps = [
            (
                "accounts",
                f"INSERT INTO {author} (id, username, avatar_url, updated_at, is_private) "
                "SELECT g, 'user' || g, NULL, now(), false "
                "FROM generate_series(%(first)s, %(last)s) g",
                params,
            ),
            *(
                (
                    f"followers of {account}",
                    f"INSERT INTO {follow} (follower_id, followee_id, created_at) "
                    "SELECT g, %(account)s, now() - random() * interval '365 days' "
                    "FROM generate_series(%(first_fan)s, %(first_fan)s + %(n)s - 1) g",
                    {**params, "account": account, "n": n},
                )
                for account, n in followed_by
            ),
            (
                "viewers' follows",
                f"INSERT INTO {follow} (follower_id, followee_id, created_at) "
                "SELECT v, a, now() FROM unnest(%(viewers)s::bigint[]) v, "
                "unnest(%(accounts)s::bigint[]) a ON CONFLICT DO NOTHING",
                {"viewers": viewers, "accounts": [huge, *big]},
            ),
            (
                "posts",
                f"INSERT INTO {post} (author_id, title, body, like_count, comment_count, "
                "created_at, updated_at) "
                "SELECT a, 'Post ' || g, 'lorem ipsum dolor', 0, 0, ts, ts FROM ("
                "  SELECT a, g, now() - random() * interval '7 days' AS ts "
                "  FROM unnest(%(accounts)s::bigint[]) a, generate_series(1, %(n)s) g"
                ") s",
                {"accounts": [account for account, _ in followed_by], "n": options["posts_each"]},
            ),
            (
                "inboxes of the fanned-out accounts",
                # Their own and their followers', as their posts' fan-out would have left them.
                f"INSERT INTO {inbox} (owner_id, created_at, post_id) "
                "SELECT o.owner_id, p.created_at, p.id "
                f"FROM {post} p CROSS JOIN LATERAL ("
                "  SELECT p.author_id AS owner_id UNION ALL "
                f"  SELECT follower_id FROM {follow} WHERE followee_id = p.author_id"
                ") o WHERE p.author_id = ANY(%(accounts)s) ON CONFLICT DO NOTHING",
                {"accounts": [edge, small]},
            ),
            (
                "own inboxes of the merged accounts",
                f"INSERT INTO {inbox} (owner_id, created_at, post_id) "
                f"SELECT author_id, created_at, id FROM {post} WHERE author_id = ANY(%(accounts)s) "
                "ON CONFLICT DO NOTHING",
                {"accounts": [huge, *big]},
            ),
        ]
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute(f"DELETE FROM {merged}")
            for name, sql, values in steps:
                started = time.monotonic()
                with transaction.atomic():
                    cursor.execute(sql, values)
                self.stderr.write(f"seeded {name} in {time.monotonic() - started:.1f}s")
            started = time.monotonic()
            recount_user_stats()
            merged_count = classify_authors()
            self.stderr.write(
                f"recounted and merged {merged_count} accounts in {time.monotonic() - started:.1f}s"
            )
            seeded = f"{author}, {post}, {follow}, {inbox}, {merged}"
            cursor.execute(
                f"ANALYZE {seeded}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {seeded}"
            )
        self.stdout.write(
            json.dumps(
                {
                    "huge": huge,
                    "big": big,
                    "edge": edge,
                    "small": small,
                    "viewers": viewers,
                    "threshold": threshold,
                }
            )
        )
