from __future__ import annotations

import pytest

from bot.domain.documents import (
    error_words,
    extension_of,
    is_website,
    tag_name,
    tags_in,
    unsupported_extension,
)


@pytest.mark.parametrize(
    ("url", "unsupported"),
    [
        ("https://x.example/handbook.pdf", None),
        ("https://x.example/Deck.PPTX", None),
        ("https://x.example/data.csv?signature=abc.mp4", None),  # the path decides
        ("https://docs.example.com/", None),
        ("https://docs.example.com", None),
        ("https://docs.example.com/guide/v1.2", None),  # a version, not a file type
        ("https://docs.example.com/index.html", None),
        ("https://docs.example.com/page.php", None),
        ("https://x.example/clip.mp4", ".mp4"),
        ("https://x.example/photo.jpeg", ".jpeg"),
        ("https://x.example/notes.md", ".md"),
        ("https://x.example/archive.tar.gz", ".gz"),
    ],
)
def test_an_unsupported_extension_is_named(url: str, unsupported: str | None) -> None:
    assert unsupported_extension(url) == unsupported


@pytest.mark.parametrize(
    ("url", "website"),
    [
        ("https://docs.example.com/", True),
        ("https://docs.example.com/about.html", True),
        ("https://x.example/a.pdf", False),
        ("https://x.example/clip.mp4", False),
    ],
)
def test_websites_are_pages_without_a_file_type(url: str, website: bool) -> None:
    assert is_website(url) is website


def test_extension_of_an_unreadable_url() -> None:
    assert extension_of("http://[::1") is None


@pytest.mark.parametrize(
    ("word", "tag"),
    [("#onboarding", "onboarding"), ("pricing", "pricing"), ("#", None), ("a,b", None)],
)
def test_tag_names(word: str, tag: str | None) -> None:
    assert tag_name(word) == tag


def test_tags_typed_in_a_form() -> None:
    assert tags_in("#docs, website  docs,#faq,,") == ("docs", "website", "faq")
    assert tags_in("x" * 101) == ()


@pytest.mark.parametrize(
    ("code", "words"),
    [("file_empty", "the file is empty"), (" FILE_EMPTY ", "the file is empty"), ("other", None)],
)
def test_error_codes_in_words(code: str, words: str | None) -> None:
    assert error_words(code) == words
