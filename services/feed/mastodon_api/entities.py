"""Mastodon's entities drawn from the feed's own shapes and rows (docs/mastodon.md).

A Status is the native Post (rendered by `posts.api.rendering.render_posts`, the one rendering
of a post) re-spelt; an Account is the author replica and the user's counters; a comment is a
Status `in_reply_to_id` its post. Nothing here reads what the native API does not.
"""

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import orjson
from django.conf import settings

from authors.services import summarize_authors
from mastodon_api.selectors import AccountRow, account_rows
from posts.api.rendering import _Rendered, render_posts
from posts.models import Comment
from posts.selectors import PostRow
from posts.text import linked_html
from relationships.models import Block, Follow, FollowRequest, Mute

COMMENT_PREFIX = "c"
EPOCH = "1970-01-01T00:00:00.000Z"


def _base() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def status_id_of_comment(comment_id: int) -> str:
    return f"{COMMENT_PREFIX}{comment_id}"


def tag_url(name: str) -> str:
    return f"{_base()}/mastodon/tags/{name}"


def account_url(username: str) -> str:
    return f"{_base()}/mastodon/@{username}"


def _timestamp(value: Any) -> str:
    """Mastodon's ISO 8601 with milliseconds and `Z`, from a datetime or the native string."""
    text = value if isinstance(value, str) else value.isoformat()
    text = text.replace("+00:00", "Z")
    if "." not in text:
        text = text.replace("Z", ".000Z")
    else:
        head, tail = text.split(".", 1)
        text = f"{head}.{tail[:3]}Z"
    return text


# --- Accounts ------------------------------------------------------------------------------


def accounts(
    user_ids: Iterable[int], *, known: dict[int, AccountRow] | None = None
) -> dict[int, dict[str, Any]]:
    """The Account of each user: the replica's profile and the stored counters
    (`known`, or else `selectors.account_rows`: one statement); users the replica does not hold
    are summarized as every author is (`summarize_authors`: the users service's look-up, or a
    placeholder)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = dict(known or {})
    if not wanted <= rows.keys():
        rows.update(account_rows(wanted - rows.keys()))
    found = {}
    site = _Site.now()
    for user_id in wanted & rows.keys():
        row = rows[user_id]
        found[user_id] = _account(
            {"id": user_id, "username": row.username, "avatar_url": row.avatar_url},
            {"name": row.name, "is_private": row.is_private},
            {
                "posts_count": row.posts_count,
                "followers_count": row.followers_count,
                "following_count": row.following_count,
            },
            site,
        )
    missing = wanted - found.keys()
    if missing:
        for user_id, summary in summarize_authors(missing).items():
            found[user_id] = _account(summary, None, None, site)
    return found


def account(user_id: int) -> dict[str, Any]:
    return accounts([user_id])[user_id]


class _Site(NamedTuple):
    """The settings every Account shows, read once for a list of them."""

    base: str
    avatar: str
    header: str

    @classmethod
    def now(cls) -> "_Site":
        return cls(
            _base(), settings.MASTODON_DEFAULT_AVATAR_URL, settings.MASTODON_DEFAULT_HEADER_URL
        )


def _account(
    summary: dict[str, Any], row: dict | None, stats: dict | None, site: _Site | None = None
) -> dict[str, Any]:
    site = site or _Site.now()
    username = summary.get("username") or ""
    avatar = summary.get("avatar_url") or site.avatar
    url = f"{site.base}/mastodon/@{username}"
    stats = stats or {}
    return {
        "id": str(summary["id"]),
        "username": username,
        "acct": username,
        "display_name": (row or {}).get("name") or username,
        "locked": bool((row or {}).get("is_private")),
        "bot": False,
        "discoverable": True,
        "indexable": False,
        "group": False,
        # The feed keeps no join date: the epoch says "unknown".
        "created_at": EPOCH,
        "note": "",
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": site.header,
        "header_static": site.header,
        "followers_count": stats.get("followers_count", 0),
        "following_count": stats.get("following_count", 0),
        "statuses_count": stats.get("posts_count", 0),
        "last_status_at": None,
        "hide_collections": False,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [],
    }


def credential_account(user_id: int) -> dict[str, Any]:
    """The caller's own Account, with `source` (what an edit form starts from)."""
    body = account(user_id)
    body["source"] = {
        "note": "",
        "fields": [],
        "privacy": "private" if body["locked"] else "public",
        "sensitive": False,
        "language": None,
        "follow_requests_count": FollowRequest.objects.filter(target_id=user_id).count(),
    }
    return body


def relationships(viewer_id: int, user_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Mastodon's Relationship from the follow, follow-request, block and mute rows."""
    ids = list(dict.fromkeys(user_ids))

    def pairs(model: type, mine: str, theirs: str, *, outgoing: bool = True) -> set[int]:
        me, other = (mine, theirs) if outgoing else (theirs, mine)
        rows = model.objects.filter(**{me: viewer_id, f"{other}__in": ids})
        return set(rows.values_list(other, flat=True))

    following = pairs(Follow, "follower_id", "followee_id")
    followed_by = pairs(Follow, "follower_id", "followee_id", outgoing=False)
    requested = pairs(FollowRequest, "requester_id", "target_id")
    requested_by = pairs(FollowRequest, "requester_id", "target_id", outgoing=False)
    blocking = pairs(Block, "blocker_id", "blocked_id")
    blocked_by = pairs(Block, "blocker_id", "blocked_id", outgoing=False)
    muting = pairs(Mute, "muter_id", "muted_id")
    return [
        {
            "id": str(user_id),
            "following": user_id in following,
            "showing_reblogs": user_id in following,
            "notifying": False,
            "languages": None,
            "followed_by": user_id in followed_by,
            "blocking": user_id in blocking,
            "blocked_by": user_id in blocked_by,
            "muting": user_id in muting,
            "muting_notifications": user_id in muting,
            "requested": user_id in requested,
            "requested_by": user_id in requested_by,
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }
        for user_id in ids
    ]


# --- Tags ----------------------------------------------------------------------------------


def hashtag(name: str) -> dict[str, Any]:
    """A Tag (a search result): the name and its page. `history` (uses per day) is not kept."""
    return {"name": name, "url": tag_url(name), "history": []}


# --- Statuses ------------------------------------------------------------------------------


def _media(post_id: int, position: int, image: dict[str, Any]) -> dict[str, Any]:
    width, height = image["width"], image["height"]
    original = {
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "aspect": width / height if height else 1,
    }
    return {
        "id": str(image.get("id", f"{post_id}-{position}")),
        "type": "image",
        "url": image["url"],
        "preview_url": image["thumbnail_url"],
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": original},
        "description": image.get("alt_text") or None,
        "blurhash": image.get("blurhash"),
    }


def _content(title: str, body: str, mentioned: dict[str, dict[str, Any]]) -> str:
    def mention_url(name: str) -> str | None:
        return account_url(name) if name in mentioned else None

    paragraphs = [text for text in (title, body) if text]
    return "".join(
        f"<p>{linked_html(text, tag_url=tag_url, mention_url=mention_url)}</p>"
        for text in paragraphs
    )


def _mention(user: dict[str, Any]) -> dict[str, Any]:
    username = user.get("username") or ""
    return {
        "id": str(user["id"]),
        "username": username,
        "acct": username,
        "url": account_url(username),
    }


def _status(
    *,
    status_id: str,
    created_at: Any,
    account: dict[str, Any],
    content: str,
    in_reply_to: tuple[str, str] | None = None,
    media: list[dict[str, Any]] = (),
    mentions: list[dict[str, Any]] = (),
    tags: list[str] = (),
    favourites_count: int = 0,
    replies_count: int = 0,
    favourited: bool = False,
    bookmarked: bool = False,
    edited_at: Any = None,
) -> dict[str, Any]:
    url = f"{_base()}/mastodon/statuses/{status_id}"
    return {
        "id": status_id,
        "uri": url,
        "url": url,
        "created_at": _timestamp(created_at),
        "edited_at": _timestamp(edited_at) if edited_at else None,
        "account": account,
        "content": content,
        "visibility": "private" if account["locked"] else "public",
        "sensitive": False,
        "spoiler_text": "",
        "media_attachments": list(media),
        "application": None,
        "mentions": list(mentions),
        "tags": [{"name": name, "url": tag_url(name)} for name in tags],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": favourites_count,
        "replies_count": replies_count,
        "in_reply_to_id": in_reply_to[0] if in_reply_to else None,
        "in_reply_to_account_id": in_reply_to[1] if in_reply_to else None,
        "reblog": None,
        "poll": None,
        "card": None,
        "language": None,
        "text": None,
        "favourited": favourited,
        "reblogged": False,
        "muted": False,
        "bookmarked": bookmarked,
        "pinned": False,
        "filtered": [],
    }


# The fields of a Status that change without an edit of its post: read with every page and
# spliced into the rest, which is kept rendered (`kept_statuses`).
_LIVE = ("account", "visibility", "favourites_count", "replies_count", "favourited", "bookmarked")
_VISIBILITY = {True: b'"private"', False: b'"public"'}
_BOOLEAN = {True: b"true", False: b"false"}


def _template(post: dict[str, Any], mentioned: dict[str, dict[str, Any]]) -> bytes:
    """A post's Status as JSON, with a `%(name)b` slot for each `_LIVE` field."""
    body = _status(
        status_id=str(post["id"]),
        created_at=post["created_at"],
        edited_at=post["updated_at"] if post["updated_at"] != post["created_at"] else None,
        account={"locked": False},
        content=_content(post["title"], post["body"], mentioned),
        media=[_media(post["id"], i, image) for i, image in enumerate(post["images"])],
        mentions=[_mention(user) for user in mentioned.values()],
        tags=post["hashtags"],
    )
    for name in _LIVE:
        body[name] = None
    text = orjson.dumps(body).replace(b"%", b"%%")
    for name in _LIVE:
        # A string's quotes are escaped inside JSON strings: `"name":null` can only be the key.
        key = orjson.dumps(name) + b":"
        text = text.replace(key + b"null", key + b"%(" + name.encode() + b")b", 1)
    return text


# (post id, updated_at) -> (the mentioned users and base URL it was rendered for, the template).
kept_statuses = _Rendered(settings.RENDERED_POSTS_CACHE_SIZE)


def statuses(
    rows: Sequence[PostRow], *, known: dict[int, AccountRow] | None = None
) -> list[orjson.Fragment]:
    """The Status of each post row, in order, as JSON fragments (`OrjsonRenderer` inlines them),
    with the authors' Accounts `known` already (`selectors.home_page`) or read here. See
    `_statuses_json`."""
    return [orjson.Fragment(body) for body in _statuses_json(rows, known=known)]


def status(row: PostRow) -> dict[str, Any] | None:
    """The Status of one post row as a dict (None if the post has gone since)."""
    rendered = _statuses_json([row])
    return orjson.loads(rendered[0]) if rendered else None


def _statuses_json(
    rows: Sequence[PostRow], *, known: dict[int, AccountRow] | None = None
) -> list[bytes]:
    """The Status of each post row, in order, as JSON.

    What a post says is the native Post's (`render_posts`, the one rendering of a post) re-spelt
    once per version of the post (its `updated_at`) and of the users it mentions, and kept like
    the native rendering (`posts.api.rendering`); a page then costs one bytes formatting a post,
    and the Accounts' statement unless they are `known`. A post deleted since `rows` were read
    is left out when it was not rendered yet (as `render_posts` leaves it out).
    """
    base = _base()
    versions = {
        row.id: (tuple((user["id"], user["username"]) for user in row.mentions), base)
        for row in rows
    }
    templates: dict[int, bytes] = {}
    missing = []
    for row in rows:
        found = kept_statuses.get((row.id, row.updated_at))
        if found is not None and found[0] == versions[row.id]:
            templates[row.id] = found[1]
        else:
            missing.append(row)
    if missing:
        updated = {row.id: row.updated_at for row in missing}
        for post in orjson.loads(orjson.dumps(render_posts(missing))):
            mentioned = {user["username"]: user for user in post.get("mentions") or []}
            template = _template(post, mentioned)
            kept_statuses.put((post["id"], updated[post["id"]]), (versions[post["id"]], template))
            templates[post["id"]] = template

    authors = accounts((row.author_id for row in rows if row.id in templates), known=known)
    rendered = {user_id: orjson.dumps(body) for user_id, body in authors.items()}
    return [
        templates[row.id]
        % {
            b"account": rendered[row.author_id],
            b"visibility": _VISIBILITY[authors[row.author_id]["locked"]],
            # A count its author hides (`hide_like_count`) is null natively; 0 here, as
            # Mastodon's is always a number.
            b"favourites_count": b"%d" % (row.like_count or 0),
            b"replies_count": b"%d" % row.comment_count,
            b"favourited": _BOOLEAN[row.liked_by_me],
            b"bookmarked": _BOOLEAN[row.bookmarked_by_me],
        }
        for row in rows
        if row.id in templates
    ]


def comment_statuses(comments: Sequence[Comment]) -> list[dict[str, Any]]:
    """Comments as Statuses: a top-level comment replies to its post, a reply to its comment.

    Expects `posts.selectors.comment_queryset` rows with `post` and `parent` selected."""
    replied_to = {
        comment.pk: (status_id_of_comment(comment.parent_id), comment.parent.author_id)
        if comment.parent_id
        else (str(comment.post_id), comment.post.author_id)
        for comment in comments
    }
    authors = accounts(
        [comment.author_id for comment in comments] + [uid for _, uid in replied_to.values()]
    )
    return [
        _status(
            status_id=status_id_of_comment(comment.pk),
            created_at=comment.created_at,
            account=authors[comment.author_id],
            content=_content("", comment.body, {}),
            in_reply_to=(replied_to[comment.pk][0], str(replied_to[comment.pk][1])),
            favourites_count=comment.like_count,
            replies_count=comment.reply_count,
            favourited=bool(getattr(comment, "liked_by_me", False)),
        )
        for comment in comments
    ]
