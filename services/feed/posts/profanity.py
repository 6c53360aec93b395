"""The profanity filter for post titles, post bodies and comments.

The word list ships with the service (`posts/data/profanity.txt`, English and Korean) and a
deployment may add words in a file named by `settings.PROFANITY_EXTRA_WORDS_FILE` (same format).
Text and words are compared after one normalisation (`_normalise`): NFKC and case folding, so
full-width letters and capitals do not slip through; invisible characters (zero-width spaces and
joiners, soft hyphens, direction marks: Unicode's format characters) removed, so they cannot
split a word; accents dropped, and the Cyrillic and Greek letters that look like Latin ones read
as those. Words in Hangul match as substrings (Korean attaches particles to words, so "씨발아"
must match "씨발"); all others only as whole words ("Scunthorpe" stays clean).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

BUILTIN_WORDS_FILE = Path(__file__).resolve().parent / "data" / "profanity.txt"
MESSAGE = "This field contains a word that is not allowed."

# Hangul syllables, jamo and compatibility jamo (NFKC turns the latter into jamo).
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


# Letters drawn like a Latin one (after case folding), from Unicode's confusables list: only
# those a word filter meets in practice. Cyrillic a, ve, ie, io, shha, i, yi, je, ka, em, en, o,
# er, es, dze, te, u, ha, komi de, qa, we, straight u; Latin script g; Greek alpha, beta,
# epsilon, eta, iota, kappa, nu, omicron, rho, tau, upsilon, chi, omega, lunate sigma, yot.
_LOOK_ALIKES = str.maketrans(
    "\u0430\u0432\u0435\u0451\u04bb\u0456\u0457\u0458\u043a\u043c\u043d\u043e"
    "\u0440\u0441\u0455\u0442\u0443\u0445\u0501\u051b\u051d\u04af\u0261\u03b1"
    "\u03b2\u03b5\u03b7\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u03c9"
    "\u03f2\u03f3",
    "abeehiijkmhopcstyxdqwygabenikvoptuxwcj",
)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    # Accents off (NFD, drop the combining marks), then composed again: Hangul syllables
    # decompose into jamo under NFD and must come back whole for the substring match.
    bare = "".join(
        char for char in unicodedata.normalize("NFD", visible) if not unicodedata.combining(char)
    )
    return unicodedata.normalize("NFC", bare).translate(_LOOK_ALIKES)


def _read_words(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImproperlyConfigured(f"Cannot read the profanity word list {path}: {exc}") from exc
    words = (_normalise(line.strip()) for line in lines)
    return [word for word in words if word and not word.startswith("#")]


@dataclass(frozen=True)
class ProfanityFilter:
    whole_words: re.Pattern[str] | None
    substrings: tuple[str, ...]

    @classmethod
    def from_words(cls, words: list[str]) -> "ProfanityFilter":
        substrings = tuple(sorted({word for word in words if _HANGUL.search(word)}))
        spaced = sorted({word for word in words if not _HANGUL.search(word)}, key=len)
        # Whole word: not preceded or followed by a letter or digit of any script; a phrase's
        # spaces match any run of whitespace.
        alternatives = "|".join(
            r"\s+".join(re.escape(part) for part in word.split()) for word in reversed(spaced)
        )
        pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])") if spaced else None
        return cls(whole_words=pattern, substrings=substrings)

    def find(self, text: str) -> str | None:
        """The first listed word found in `text`, or None."""
        folded = _normalise(text)
        if self.whole_words is not None and (match := self.whole_words.search(folded)):
            return match.group(0)
        return next((word for word in self.substrings if word in folded), None)


@lru_cache(maxsize=4)
def _filter_for(extra_words_file: str) -> ProfanityFilter:
    words = _read_words(BUILTIN_WORDS_FILE)
    if extra_words_file:
        words += _read_words(Path(extra_words_file))
    return ProfanityFilter.from_words(words)


def profanity_filter() -> ProfanityFilter:
    """The filter for the current settings (built once per word-list file)."""
    return _filter_for(str(getattr(settings, "PROFANITY_EXTRA_WORDS_FILE", "") or ""))


def find_profanity(text: str) -> str | None:
    return profanity_filter().find(text)


def validate_no_profanity(value: str) -> None:
    """Serializer field validator: a `400` naming the field when `value` has a listed word."""
    if value and find_profanity(value) is not None:
        raise serializers.ValidationError(MESSAGE, code="profanity")
