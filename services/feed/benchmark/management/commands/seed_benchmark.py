"""Seed the feed database with a realistic data set for `make bench`, server-side in SQL.

Users' popularity follows a long tail (a power of a uniform draw), so a few accounts have huge
follower counts and most have few; posts, likes and comments lean the same way. Every
`--private-every`th account is private (with a few pending follow requests), and every user has
a few blocks and mutes, so that every read pays for the visibility policy
(`relationships.visibility`) as it would in production; a block removed the follows between the
two, as blocking does. Every counter is recomputed from the rows at the end and the timeline
inboxes are filled from them, so the seeded state is one the services could have produced.
Destroys whatever the feed database holds: refuses to run without --yes.
"""

import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from discovery.services import refresh_trending_tags
from posts.models import Post
from social.services import recount_user_stats
from timeline.services import fill_inboxes_in_bulk


def table(label: str) -> str:
    return connection.ops.quote_name(apps.get_model(label)._meta.db_table)


# Indexes of the posts the seed builds after loading them rather than row by row.
BULK_BUILT_INDEXES = ("posts_explore_rank", "posts_search_words", "posts_search_trigrams")


def discovery_steps(post: str) -> list[tuple[str, str]]:
    """Hashtags and searchable words for the tag pages, explore's tags and search.

    `tags` hashtags with a long tail (the most used on about 1% of the posts); two posts in
    three carry one and one in three a second, written at the end of the body as `#tagN`, as
    the posts service would have parsed them. Each post's body also gains one word `wordN` of
    `words`, with a mild tail, for search to look up (a few tens of posts each).
    """
    tag, post_tag = table("posts.Tag"), table("posts.PostTag")
    return [
        (
            "tags",
            f"TRUNCATE {tag}, {table('discovery.TrendingTag')} RESTART IDENTITY CASCADE; "
            f"INSERT INTO {tag} (name, post_count, created_at) "
            "SELECT 'tag' || g, 0, now() FROM generate_series(1, %(tags)s) g",
        ),
        (
            "post tags",
            f"INSERT INTO {post_tag} (post_id, tag_id, position, created_at) "
            "SELECT p.id, 1 + floor(%(tags)s * power(random(), 2))::bigint, pick.position, "
            "p.created_at "
            f"FROM {post} p, LATERAL generate_series(0, p.id %% 3 - 1) AS pick(position) "
            "ON CONFLICT DO NOTHING",
        ),
        (
            "tag counters",
            f"UPDATE {tag} t SET post_count = c.n FROM "
            f"(SELECT tag_id, count(*) n FROM {post_tag} GROUP BY tag_id) c WHERE t.id = c.tag_id",
        ),
        (
            "words and hashtags in the bodies",
            f"UPDATE {post} p SET body = p.body || 'word' || "
            "(1 + floor(%(words)s * power(random(), 1.2)))::bigint || coalesce(("
            "  SELECT ' ' || string_agg('#' || t.name, ' ' ORDER BY pt.position) "
            f"  FROM {post_tag} pt JOIN {tag} t ON t.id = pt.tag_id WHERE pt.post_id = p.id"
            "), '')",
        ),
    ]


def thread_steps(comment: str) -> list[tuple[str, str]]:
    """Comment threads for the thread scenario: the first `threads` comments (top-level, on
    posts drawn like every comment's) get 5 to 34 replies each, by users drawn uniformly, and
    every comment of those threads a few likes. Run before the posts' comment counters, which
    then count the replies too."""
    comment_like = table("posts.CommentLike")
    return [
        (
            "replies",
            f"INSERT INTO {comment} (post_id, parent_id, author_id, body, created_at) "
            "SELECT c.post_id, c.id, 1 + floor(%(users)s * random())::bigint, 'me too', "
            "c.created_at + random() * interval '1 day' "
            f"FROM {comment} c, LATERAL generate_series(1, 5 + c.id %% 30) "
            "WHERE c.id <= %(threads)s",
        ),
        (
            "comment likes",
            f"INSERT INTO {comment_like} (comment_id, user_id, created_at) "
            "SELECT c.id, 1 + floor(%(users)s * random())::bigint, c.created_at "
            f"FROM {comment} c, LATERAL generate_series(1, 1 + c.id %% 4 + c.id * 0) "
            "WHERE c.id <= %(threads)s OR c.parent_id <= %(threads)s ON CONFLICT DO NOTHING",
        ),
        (
            "reply counters",
            f"UPDATE {comment} c SET reply_count = r.n FROM "
            f"(SELECT parent_id, count(*) n FROM {comment} WHERE parent_id IS NOT NULL "
            "GROUP BY parent_id) r WHERE c.id = r.parent_id",
        ),
        (
            "comment like counters",
            f"UPDATE {comment} c SET like_count = l.n FROM "
            f"(SELECT comment_id, count(*) n FROM {comment_like} GROUP BY comment_id) l "
            "WHERE c.id = l.comment_id",
        ),
    ]


class Command(BaseCommand):
    help = "Replace the feed database's content with a seeded benchmark data set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=10_000)
        parser.add_argument("--follows-per-user", type=int, default=150)
        parser.add_argument("--posts", type=int, default=1_000_000)
        parser.add_argument("--likes-per-post", type=float, default=2.0)
        parser.add_argument("--comments-per-post", type=float, default=0.5)
        parser.add_argument(
            "--private-every", type=int, default=20, help="every Nth account is private; 0: none"
        )
        parser.add_argument("--requests-per-private", type=int, default=3)
        parser.add_argument("--blocks-per-user", type=int, default=2)
        parser.add_argument("--mutes-per-user", type=int, default=3)
        parser.add_argument("--tags", type=int, default=5_000, help="distinct hashtags")
        parser.add_argument("--words", type=int, default=50_000, help="distinct search words")
        parser.add_argument(
            "--threads", type=int, default=2_000, help="comments that get replies and likes"
        )
        parser.add_argument("--yes", action="store_true", help="confirm wiping the feed database")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("seed_benchmark wipes the feed database; pass --yes to confirm.")
        users, posts = options["users"], options["posts"]
        if users < 2 or posts < 1:
            raise CommandError("Need at least 2 users and 1 post.")
        params = {
            "users": users,
            "follows": options["follows_per_user"],
            "posts": posts,
            "likes": int(posts * options["likes_per_post"]),
            "comments": int(posts * options["comments_per_post"]),
            "private_every": options["private_every"],
            "requests": options["requests_per_private"],
            "blocks": options["blocks_per_user"],
            "mutes": options["mutes_per_user"],
            "tags": max(options["tags"], 1),
            "words": max(options["words"], 1),
            "threads": options["threads"],
        }
        author, post, like, comment, image = (
            table("authors.Author"),
            table("posts.Post"),
            table("posts.Like"),
            table("posts.Comment"),
            table("posts.PostImage"),
        )
        follow, stats = table("relationships.Follow"), table("social.UserStats")
        request, block, mute = (
            table("relationships.FollowRequest"),
            table("relationships.Block"),
            table("relationships.Mute"),
        )
        inbox = table("timeline.InboxEntry")
        steps = [
            (
                "wipe",
                f"TRUNCATE {author}, {post}, {like}, {comment}, {image}, {follow}, {stats}, "
                f"{request}, {block}, {mute}, {inbox} RESTART IDENTITY CASCADE",
            ),
            (
                "authors",
                f"INSERT INTO {author} (id, username, avatar_url, updated_at, is_private) "
                "SELECT g, 'user' || g, NULL, now(), "
                "%(private_every)s > 0 AND g %% greatest(%(private_every)s, 1) = 0 "
                "FROM generate_series(1, %(users)s) g",
            ),
            (
                "follows",
                # Each user follows about `follows` others, picked with a long tail towards low
                # ids; the reference to u inside LATERAL makes Postgres draw anew for every user.
                f"INSERT INTO {follow} (follower_id, followee_id, created_at) "
                "SELECT u, f, now() - random() * interval '365 days' "
                "FROM generate_series(1, %(users)s) u, LATERAL ("
                "  SELECT DISTINCT 1 + floor(%(users)s * power(random(), 2.5))::bigint AS f "
                "  FROM generate_series(1, %(follows)s + u * 0)"
                ") pick WHERE f <> u ON CONFLICT DO NOTHING",
            ),
            (
                "blocks",
                # Uniformly drawn: blocks are personal, not drawn to the popular.
                f"INSERT INTO {block} (blocker_id, blocked_id, created_at) "
                "SELECT u, b, now() - random() * interval '365 days' "
                "FROM generate_series(1, %(users)s) u, LATERAL ("
                "  SELECT DISTINCT 1 + floor(%(users)s * random())::bigint AS b "
                "  FROM generate_series(1, %(blocks)s + u * 0)"
                ") pick WHERE b <> u ON CONFLICT DO NOTHING",
            ),
            (
                "follows a block removed",
                f"DELETE FROM {follow} f USING {block} b "
                "WHERE f.follower_id = b.blocker_id AND f.followee_id = b.blocked_id",
            ),
            (
                "follows a block removed, the other way",
                f"DELETE FROM {follow} f USING {block} b "
                "WHERE f.follower_id = b.blocked_id AND f.followee_id = b.blocker_id",
            ),
            (
                "mutes",
                # Drawn like follows: one mutes the accounts one sees, often the popular ones.
                f"INSERT INTO {mute} (muter_id, muted_id, created_at) "
                "SELECT u, m, now() - random() * interval '365 days' "
                "FROM generate_series(1, %(users)s) u, LATERAL ("
                "  SELECT DISTINCT 1 + floor(%(users)s * power(random(), 2.5))::bigint AS m "
                "  FROM generate_series(1, %(mutes)s + u * 0)"
                ") pick WHERE m <> u ON CONFLICT DO NOTHING",
            ),
            (
                "follow requests",
                # Pending: from users who neither follow the private account nor are in a
                # block with it.
                f"INSERT INTO {request} (requester_id, target_id, created_at) "
                "SELECT r, a.id, now() - random() * interval '30 days' "
                f"FROM {author} a, LATERAL ("
                "  SELECT DISTINCT 1 + floor(%(users)s * random())::bigint AS r "
                "  FROM generate_series(1, %(requests)s + a.id * 0)"
                ") pick WHERE a.is_private AND r <> a.id "
                f"AND NOT EXISTS (SELECT 1 FROM {follow} "
                "                 WHERE follower_id = r AND followee_id = a.id) "
                f"AND NOT EXISTS (SELECT 1 FROM {block} WHERE (blocker_id, blocked_id) IN "
                "                 ((r, a.id), (a.id, r))) "
                "ON CONFLICT DO NOTHING",
            ),
            (
                "posts",
                f"INSERT INTO {post} (author_id, title, body, like_count, comment_count, "
                "created_at, updated_at) "
                "SELECT 1 + floor(%(users)s * power(random(), 1.5))::bigint, 'Post ' || g, "
                "repeat('lorem ipsum dolor ', 2 + g %% 12), 0, 0, ts, ts "
                "FROM (SELECT g, now() - random() * interval '365 days' AS ts "
                "      FROM generate_series(1, %(posts)s) g) s",
            ),
            (
                "images",
                # Posts carry 0, 1 or 2 images (a third each), as the Post shape renders them:
                # storage names only, no files (the benchmark reads posts, never image bytes).
                f"INSERT INTO {image} (post_id, position, file, thumbnail, width, height) "
                "SELECT p.id, i, 'posts/bench/' || p.id || '-' || i || '.jpg', "
                "'posts/bench/' || p.id || '-' || i || '_thumb.jpg', 1080, 1350 "
                f"FROM {post} p, LATERAL generate_series(0, p.id %% 3 - 1) i",
            ),
            (
                "likes",
                f"INSERT INTO {like} (post_id, user_id, created_at) "
                "SELECT 1 + floor(%(posts)s * power(random(), 3))::bigint, "
                "1 + floor(%(users)s * random())::bigint, now() - random() * interval '30 days' "
                "FROM generate_series(1, %(likes)s) ON CONFLICT DO NOTHING",
            ),
            (
                "comments",
                f"INSERT INTO {comment} (post_id, author_id, body, created_at) "
                "SELECT 1 + floor(%(posts)s * power(random(), 3))::bigint, "
                "1 + floor(%(users)s * random())::bigint, 'nice one', "
                "now() - random() * interval '30 days' FROM generate_series(1, %(comments)s)",
            ),
            (
                "post counters",
                f"UPDATE {post} p SET like_count = c.n FROM "
                f"(SELECT post_id, count(*) n FROM {like} GROUP BY post_id) c "
                "WHERE p.id = c.post_id",
            ),
            (
                "comment counters",
                f"UPDATE {post} p SET comment_count = c.n FROM "
                f"(SELECT post_id, count(*) n FROM {comment} GROUP BY post_id) c "
                "WHERE p.id = c.post_id",
            ),
        ]
        counters = next(i for i, (name, _) in enumerate(steps) if name == "post counters")
        steps[counters:counters] = thread_steps(comment)
        steps += discovery_steps(post)
        # Kept row by row, these would cost the load most of its time (GIN indexes of every
        # body, updated twice): dropped for it and built once at the end.
        bulk_built = [index for index in Post._meta.indexes if index.name in BULK_BUILT_INDEXES]
        with connection.schema_editor() as editor:
            for index in bulk_built:
                editor.remove_index(Post, index)
        with connection.cursor() as cursor:
            # Seeding is a bulk job: lift the per-statement timeout the services run with.
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                # Every seeded reference points at a row seeded before it, so the foreign-key
                # triggers, which would check millions of likes one by one at commit, are
                # skipped (a bulk-load switch only a superuser may throw; `make bench` seeds as
                # one, the service's own role would just take longer).
                cursor.execute("SET session_replication_role = replica")
            for name, sql in steps:
                started = time.monotonic()
                with transaction.atomic():
                    cursor.execute(sql, params)
                self.stdout.write(f"seeded {name} in {time.monotonic() - started:.1f}s")
            started = time.monotonic()
            recount_user_stats()
            self.stdout.write(f"seeded user counters in {time.monotonic() - started:.1f}s")
            started = time.monotonic()
            entries = fill_inboxes_in_bulk()
            self.stdout.write(
                f"seeded {entries} timeline inbox entries in {time.monotonic() - started:.1f}s"
            )
            started = time.monotonic()
            cursor.execute("SET maintenance_work_mem = '256MB'")
            with connection.schema_editor() as editor:
                for index in bulk_built:
                    editor.add_index(Post, index)
            elapsed = time.monotonic() - started
            self.stdout.write(f"built explore's and search's indexes in {elapsed:.1f}s")
            started = time.monotonic()
            refresh_trending_tags()
            self.stdout.write(f"counted the trending tags in {time.monotonic() - started:.1f}s")
            started = time.monotonic()
            # A steady-state database has its visibility map set (autovacuum's work), so the
            # timeline's index-only scans skip the heap; right after a bulk load they would not
            # until autovacuum catches up, mid-measurement. VACUUM cannot run in a transaction
            # (the tests'): there, statistics are enough.
            seeded = (
                f"{author}, {post}, {like}, {comment}, {image}, {follow}, {stats}, {request}, "
                f"{block}, {mute}, {inbox}, {table('posts.Tag')}, {table('posts.PostTag')}, "
                f"{table('posts.CommentLike')}"
            )
            cursor.execute(
                f"ANALYZE {seeded}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {seeded}"
            )
            self.stdout.write(f"vacuumed and analyzed in {time.monotonic() - started:.1f}s")
