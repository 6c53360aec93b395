"""The profanity filter: English as whole words, Korean as substrings, extendable by a file."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from posts.apps import check_profanity_word_lists
from posts.profanity import find_profanity


@pytest.mark.parametrize(
    "text",
    [
        "what the fuck",
        "FUCK",
        "Shit happens",
        "you asshole!",
        "\uff46\uff55\uff43\uff4b",  # full-width letters fold to ASCII
        "go\u00a0fuck yourself",
        "이 씨발아",  # a particle attached: Korean matches inside words
        "개새끼들",
        "ㅅㅂ 진짜",
        "f\u200buck",  # zero-width space
        "fu\u200dck",  # zero-width joiner
        "sh\u00adit",  # soft hyphen
        "\u2066fuck\u2069",  # direction isolates
        "b\ufeffitch",  # zero-width no-break space
        "\u0066u\u0441\u006b",  # Cyrillic es
        "f\u03c5ck",  # Greek upsilon
        "\u0455hit",  # Cyrillic dze
        "fu\u0308ck",  # a combining diaeresis
        "f\u00fcck",  # a precomposed u-umlaut
        "씨\u200b발",  # Hangul split by a zero-width space
    ],
)
def test_listed_words_are_found(text):
    assert find_profanity(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "a class act",
        "Scunthorpe United",
        "shitake is a misspelling",
        "assessment",
        "시발점에서 출발",  # "starting point": deliberately not listed
        "밥을 씹다",
        "",
        "Hello, 세계",
        "Привет, мир",  # Russian, mapped letter by letter, is still not a listed word
        "naïve café",
        "a\u200bclass act",
    ],
)
def test_innocent_text_passes(text):
    assert find_profanity(text) is None


def test_the_list_is_extendable_by_a_file_named_in_the_settings(settings, tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text("# local additions\nfrobnicate\n바보\n", encoding="utf-8")
    assert find_profanity("please frobnicate it") is None

    settings.PROFANITY_EXTRA_WORDS_FILE = str(extra)

    assert find_profanity("please FROBNICATE it") == "frobnicate"
    assert find_profanity("이 바보야") == "바보"
    assert find_profanity("fuck") == "fuck"  # the shipped list still applies


def test_an_unreadable_extra_file_fails_the_system_check(settings, tmp_path):
    settings.PROFANITY_EXTRA_WORDS_FILE = str(tmp_path / "missing.txt")

    with pytest.raises(ImproperlyConfigured):
        find_profanity("anything")
    assert [error.id for error in check_profanity_word_lists()] == ["posts.E001"]
