"""Seed the notifications database with a notification history for `make bench`, in SQL.

Every user gets an actor row and tens of notifications (likes, comments and follows by users
drawn from a long tail); the most popular accounts get a long history on top. Destroys whatever
the database holds: refuses to run without --yes.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from actors.models import Actor
from notifications.models import ActionState, Notification, NotificationSettings

# Per recipient i and k-th notification: an actor from a long tail (never i), a type, a post.
_SEED_SQL = f"""
    INSERT INTO {Notification._meta.db_table}
        (recipient_id, actor_id, type, post_id, comment_id, action_key, group_key, created_at,
         read)
    SELECT r, a, kind,
           CASE WHEN kind = 'follow' THEN NULL ELSE r * 1000 + k %% 20 END,
           CASE WHEN kind = 'comment' THEN r * 100000 + k ELSE NULL END,
           kind || ':' || r || ':' || k,
           CASE WHEN kind = 'like' THEN 'like:' || (r * 1000 + k %% 20)
                WHEN kind = 'follow' THEN 'follow:' || (now() - k * interval '1 hour')::date
                ELSE kind || ':' || r || ':' || k END,
           now() - k * interval '1 hour',
           k > 10
    FROM (
        SELECT r, k,
               1 + ((r + 1 + floor(%(users)s * random() ^ 2)::int) %% %(users)s) AS a,
               (ARRAY['like', 'like', 'like', 'comment', 'follow'])[1 + k %% 5] AS kind
        FROM generate_series(1, %(users)s) AS r,
             LATERAL generate_series(
                 1, CASE WHEN r <= %(popular)s THEN %(per_user)s * 50 ELSE %(per_user)s END
             ) AS k
    ) AS drawn
    WHERE a <> r
"""  # noqa: S608 - table names come from the models; values are parameters


class Command(BaseCommand):
    help = "Replace the notifications database's content with a seeded benchmark history."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=10_000)
        parser.add_argument("--per-user", type=int, default=40)
        parser.add_argument("--popular", type=int, default=20, help="accounts with 50x as many")
        parser.add_argument("--yes", action="store_true", help="confirm wiping the database")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("seed_notifications wipes the database; pass --yes to confirm.")
        users = options["users"]
        if users < 2:
            raise CommandError("--users must be at least 2.")
        with transaction.atomic(), connection.cursor() as cursor:
            for model in (Notification, ActionState, NotificationSettings, Actor):
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
            cursor.execute(
                f"INSERT INTO {Actor._meta.db_table} "  # noqa: S608
                "(id, username, avatar_url, last_sequence, deleted) "
                "SELECT u, 'user' || u, NULL, 1, false FROM generate_series(1, %s) AS u",
                [users],
            )
            cursor.execute(
                _SEED_SQL,
                {"users": users, "per_user": options["per_user"], "popular": options["popular"]},
            )
            seeded = cursor.rowcount
            cursor.execute(f"ANALYZE {Notification._meta.db_table}")
        self.stdout.write(f"seeded {seeded} notifications for {users} users")
