"""Hashtags and mentions in what users write (a post's title and body, a comment's body).

The rules, in one place (posts/tests/test_text.py holds each to an example):

- Text is compared lower-cased and in Unicode NFC, so `#Café`, `#CAFÉ` and a decomposed
  `#cafe\u0301` are one tag, `café`.
- A hashtag is `#` then 1-100 letters of any script (with their combining marks, so Devanagari
  and Thai words stay whole), decimal digits or `_`: `#서울`, `#café`, `#2026`, `#new_york`.
  Its `#` must not follow such a character or `&`, `#` or `/` (`a#b`, `&#38;`, `##x`, `/#x`),
  and a run of more than 100 is no tag at all (cutting it would invent one).
- A mention is `@` then 1-30 ASCII letters, digits, `.` or `_` (the users service's usernames),
  not following a letter, digit, `_`, `.`, `@` or `/` (so `ann@example.com` mentions no one).
  A mention's trailing dots may be sentence punctuation: `@ann.` names `ann.` if that user
  exists, else `ann` (`mention_candidates`).
- URLs (`scheme://...`, `www....`) hold neither: `https://example.com/a#b` and
  `https://example.com/@ann` are skipped whole.
- Each name counts once, in order of first appearance, title before body.
"""

import html
import unicodedata
from collections.abc import Callable, Iterable

import regex

from posts.models import TAG_MAX_LENGTH

USERNAME_MAX_LENGTH = 30
# A post or comment mentions at most this many users (the events carry as many).
MAX_MENTIONS = 100

_TAG_CHAR = r"[\p{L}\p{M}\p{Nd}_]"
_URL = regex.compile(r"(?i)(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.)\S*")
_HASHTAG = regex.compile(
    rf"(?<!{_TAG_CHAR}|[&#/])#({_TAG_CHAR}{{1,{TAG_MAX_LENGTH}}})(?!{_TAG_CHAR})"
)
_MENTION = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}\p{{Nd}}_.@/])@([a-z0-9._]{{1,{USERNAME_MAX_LENGTH}}})(?![a-z0-9._])"
)
_TAG_NAME = regex.compile(rf"{_TAG_CHAR}{{1,{TAG_MAX_LENGTH}}}")


def _normalized(text: str) -> str:
    # Lower-case first: lower() may decompose (İ -> i + U+0307), which NFC then recomposes.
    return unicodedata.normalize("NFC", text.lower())


def _without_urls(text: str) -> str:
    return _URL.sub(" ", text)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def hashtags(*texts: str) -> list[str]:
    """The hashtags of `texts` (without `#`), lower-case, in order of first appearance."""
    return _unique(
        match for text in texts for match in _HASHTAG.findall(_without_urls(_normalized(text)))
    )


def tag_name(raw: str) -> str | None:
    """`raw` as a stored tag name (lower-case NFC, no `#`), or None when it cannot be one.

    For URLs that name a tag (`/tags/{name}`): the same characters and length as in text.
    """
    name = _normalized(raw)
    return name if _TAG_NAME.fullmatch(name) else None


def mention_candidates(*texts: str) -> list[tuple[str, ...]]:
    """The `@usernames` of `texts`, in order of first appearance, at most `MAX_MENTIONS`.

    Each is a tuple of the names it may mean, preferred first: the name as written and, when it
    ends with dots, the name without them (`("ann.", "ann")`). The resolver takes the first
    name that belongs to a user.
    """
    written = _unique(
        match for text in texts for match in _MENTION.findall(_without_urls(_normalized(text)))
    )
    candidates = []
    for name in written[:MAX_MENTIONS]:
        stripped = name.rstrip(".")
        candidates.append((name, stripped) if stripped and stripped != name else (name,))
    return candidates


_MENTION_ANY_CASE = regex.compile(_MENTION.pattern, regex.IGNORECASE)


def linked_html(
    text: str, *, tag_url: Callable[[str], str], mention_url: Callable[[str], str | None]
) -> str:
    """`text` as escaped HTML with its hashtags and mentions linked (Mastodon's markup), found
    by the same patterns `hashtags` and `mention_candidates` use. `mention_url` answers None
    for a name that is no user's: it stays plain text."""
    found = sorted(
        [(m.start(), m.end(), "tag", m.group(1)) for m in _HASHTAG.finditer(text)]
        + [(m.start(), m.end(), "mention", m.group(1)) for m in _MENTION_ANY_CASE.finditer(text)]
    )
    parts: list[str] = []
    at = 0
    for start, end, kind, name in found:
        if start < at:
            continue
        parts.append(html.escape(text[at:start]))
        if kind == "tag":
            url = html.escape(tag_url(_normalized(name)))
            parts.append(
                f'<a href="{url}" class="mention hashtag" rel="tag">#<span>'
                f"{html.escape(name)}</span></a>"
            )
        elif (url := mention_url(name.lower().rstrip("."))) is not None:
            parts.append(
                f'<span class="h-card"><a href="{html.escape(url)}" class="u-url mention">'
                f"@<span>{html.escape(name)}</span></a></span>"
            )
        else:
            parts.append(html.escape(text[start:end]))
        at = end
    parts.append(html.escape(text[at:]))
    return "".join(parts).replace("\n", "<br>")
