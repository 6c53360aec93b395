"""Usernames nobody may sign up with or rename to: roles, and the words of the gateway's paths.

A handle such as `admin` or `support` reads as the operator speaking, and one such as `api`,
`media` or `healthz` collides with a path a client (or a future profile URL) already means
something else by; handles made only of `.` and `_` (`.`, `..`, `_`) are path tricks, not names.
Accounts created by an operator (`createsuperuser`, the admin) may still use them. A deployment
adds its own with `RESERVED_USERNAMES` (comma-separated).
"""

import re

from django.conf import settings

RESERVED_USERNAMES = frozenset(
    {
        # Who the operator is.
        "abuse", "admin", "administrator", "help", "hostmaster", "mod", "moderator",
        "moderators", "noc", "official", "postmaster", "root", "security", "staff", "support",
        "sysadmin", "system", "webmaster",
        # What names nobody in particular.
        "anonymous", "me", "none", "null", "nobody", "self", "undefined", "users",
        # The gateway's and the API's path words (/api/v1/..., /media, /healthz, /mastodon ...).
        "api", "auth", "blocks", "bookmarks", "collections", "comments", "docs", "explore",
        "feed", "follow", "followers", "following", "healthz", "internal", "login", "logout",
        "lookup", "mastodon", "media", "metrics", "moderation", "mutes", "notifications",
        "oauth", "password", "posts", "readyz", "reports", "schema", "search", "sessions",
        "settings", "signup", "static", "stats", "suggested", "tags", "token", "v1", "v2",
        "www",
    }
)  # fmt: skip
MESSAGE = "This username is reserved."

_ONLY_PUNCTUATION = re.compile(r"[._]+")


def is_reserved(username: str) -> bool:
    """Whether `username` (any letter case) is one nobody may choose for themselves."""
    name = username.lower()
    extra = {word.strip().lower() for word in getattr(settings, "RESERVED_USERNAMES", [])}
    return name in RESERVED_USERNAMES or name in extra or bool(_ONLY_PUNCTUATION.fullmatch(name))
