"""The hashtag and mention rules of posts.text, one example each."""

import pytest

from posts.text import MAX_MENTIONS, hashtags, mention_candidates, tag_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#서울 맛집", ["서울"]),
        ("coffee #café", ["café"]),
        ("#Café #CAFÉ #cafe\u0301", ["café"]),  # lower-case NFC: one tag
        (
            "#हिन्दी #ภาษาไทย #日本語 #Ελλάδα #москва",
            ["हिन्दी", "ภาษาไทย", "日本語", "ελλάδα", "москва"],
        ),
        ("#2026 #new_york #_", ["2026", "new_york", "_"]),
        ("#ok, #fine. #yes! (#paren) #end?", ["ok", "fine", "yes", "paren", "end"]),
        ("#a-b #c'd #e.f", ["a", "c", "e"]),
        ("#tag#other", ["tag"]),  # the second # follows a letter
        ("a#b c##d &#38; x/#y", []),
        ("# alone and #", []),
        ("#emoji🙂 #🙂", ["emoji"]),
    ],
)
def test_hashtags(text, expected):
    assert hashtags(text) == expected


def test_hashtags_come_in_order_of_first_appearance_title_before_body():
    assert hashtags("#b #a", "#c #a #b #d") == ["b", "a", "c", "d"]


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/page#section",
        "see https://example.com/#top now",
        "http://example.com/a?b=1#frag",
        "www.example.com/#anchor",
        "ftp://host/#x",
    ],
)
def test_a_url_fragment_is_no_hashtag(text):
    assert hashtags(text) == []


def test_text_around_a_url_still_has_its_hashtags():
    assert hashtags("#before https://example.com/#frag #after") == ["before", "after"]


def test_a_hashtag_has_at_most_100_characters_and_a_longer_run_is_none():
    assert hashtags("#" + "a" * 100) == ["a" * 100]
    assert hashtags("#" + "a" * 101) == []
    assert hashtags("#" + "가" * 100 + " #ok") == ["가" * 100, "ok"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Café", "café"), ("서울", "서울"), ("a" * 100, "a" * 100), ("a" * 101, None)],
)
def test_tag_name_normalises_or_refuses(raw, expected):
    assert tag_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "#tag", "two words", "a-b", "🙂"])
def test_tag_name_refuses_what_is_not_a_tag(raw):
    assert tag_name(raw) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi @Ann", [("ann",)]),
        ("@bob_1, @carol! (@dave)", [("bob_1",), ("carol",), ("dave",)]),
        ("thanks @ann.", [("ann.", "ann")]),
        ("@j.doe.", [("j.doe.", "j.doe")]),
        ("mail ann@example.com or a.b@c.d", []),
        ("https://example.com/@ann www.example.com/@bob", []),
        ("@@ann x/@bob", []),
        ("@ann @ANN @ann", [("ann",)]),
        ("@" + "a" * 30, [("a" * 30,)]),
        ("@" + "a" * 31, []),
        ("@서울 @", []),
    ],
)
def test_mentions(text, expected):
    assert mention_candidates(text) == expected


def test_mentions_come_title_first_and_stop_at_the_limit():
    assert mention_candidates("@b", "@a @b") == [("b",), ("a",)]
    many = " ".join(f"@user{n}" for n in range(MAX_MENTIONS + 5))
    assert len(mention_candidates(many)) == MAX_MENTIONS
