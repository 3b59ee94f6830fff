from __future__ import annotations

import pytest

from bot.blocks.text import ELLIPSIS, as_text, code, escape, link, plain, truncate


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("1 < 2 > 0", "1 &lt; 2 &gt; 0"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<https://evil|click>", "&lt;https://evil|click&gt;"),
        ("&lt;", "&amp;lt;"),
        (None, ""),
        (42, "42"),
    ],
)
def test_escape(raw: object, escaped: str) -> None:
    assert escape(raw) == escaped


def test_truncate_leaves_short_text_alone() -> None:
    assert truncate("x" * 10, 10) == "x" * 10


def test_truncate_cuts_to_the_limit() -> None:
    cut = truncate("x" * 11, 10)

    assert cut == "x" * 9 + ELLIPSIS
    assert len(cut) == 10


def test_truncate_prefers_a_word_boundary_near_the_end() -> None:
    cut = truncate("aaaaaaaaaa bbbbbbbbbbbb", 15)

    assert cut == "aaaaaaaaaa" + ELLIPSIS


def test_truncate_ignores_a_boundary_too_far_back() -> None:
    cut = truncate("aa " + "b" * 30, 20)

    assert cut == "aa " + "b" * 16 + ELLIPSIS
    assert len(cut) == 20


def test_truncate_prefers_the_last_line_break() -> None:
    cut = truncate("first line\nsecond line goes on", 20)

    assert cut == "first line\nsecond" + ELLIPSIS


def test_code_escapes_and_replaces_backticks() -> None:
    assert code("a`b<c>") == "`a'b&lt;c&gt;`"


def test_link_escapes_label_and_url() -> None:
    rendered = link("https://x.test/?a=1&b=<2>", "<!channel> click")

    assert rendered == "<https://x.test/?a=1&amp;b=&lt;2&gt;|&lt;!channel&gt; click>"


def test_link_label_cannot_break_out() -> None:
    rendered = link("https://good.test/a|b", "x> <https://evil|click")

    assert rendered.count("<") == 1
    assert rendered.count(">") == 1
    assert rendered.count("|") == 1
    assert rendered.startswith("<https://good.test/a%7Cb|")


def test_plain_collapses_whitespace_and_caps_length() -> None:
    assert plain("  a \n b  ") == "a b"
    assert plain(None) == "—"
    assert len(plain("word " * 100, limit=20)) <= 20


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("a\ud800b", "a\ufffdb"),
        ("\udfff", "\ufffd"),
        ("\ud83d\ude00", "\U0001f600"),
        (0, "0"),
        (None, ""),
        ({"a": [1]}, "{'a': [1]}"),
    ],
)
def test_as_text_makes_anything_encodable(raw: object, text: str) -> None:
    assert as_text(raw) == text
    as_text(raw).encode("utf-8")


def test_escape_and_plain_replace_lone_surrogates() -> None:
    assert escape("<\ud800>") == "&lt;\ufffd&gt;"
    assert plain("a \udc00 b") == "a \ufffd b"
    escape("\ud800" * 3).encode("utf-8")


def test_plain_renders_non_strings() -> None:
    assert plain(0) == "0"
    assert plain(3.5) == "3.5"
    assert plain(False) == "False"
    assert plain({"k": "v"}) == "{'k': 'v'}"


def test_truncate_to_less_than_an_ellipsis() -> None:
    assert truncate("abcdef", 1) == "a"
    assert truncate("abcdef", 0) == ""
