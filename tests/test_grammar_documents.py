"""The `/tavus` grammar for documents and dictionaries: searching lists, add, retag, recrawl."""

from __future__ import annotations

import pytest

from bot.grammar import Command, UsageError, looks_like, parse

DOCUMENT_ID = "d8-5c71baca86fc"


def command(text: str) -> Command:
    result = parse(text)
    assert isinstance(result, Command), result
    return result


@pytest.mark.parametrize(
    ("text", "words", "search"),
    [
        ("documents", (), ""),
        ("documents #pricing", ("#pricing",), "#pricing"),
        ("docs #pricing #faq onboarding deck", ("#pricing", "#faq", "onboarding", "deck"), None),
        ("documents onboarding  deck", ("onboarding", "deck"), "onboarding  deck"),
        ("documents list #hr", ("#hr",), "#hr"),
    ],
)
def test_words_after_documents_search_the_list(
    text: str, words: tuple[str, ...], search: str | None
) -> None:
    found = command(text)

    assert (found.action, found.noun, found.verb, found.words) == (
        "manage",
        "document",
        "list",
        words,
    )
    if search is not None:
        assert found.text == search


def test_a_verb_still_wins_over_a_search() -> None:
    assert command(f"documents show {DOCUMENT_ID}").verb == "show"


def test_other_lists_still_refuse_what_they_do_not_know() -> None:
    assert isinstance(parse("videos pricing"), UsageError)


def test_add_takes_a_link_tags_and_a_name() -> None:
    found = command("document add https://x.example/a.pdf #hr #onboarding Employee  handbook")

    assert found.verb == "add"
    assert found.words == ("https://x.example/a.pdf", "#hr", "#onboarding", "Employee", "handbook")
    assert found.text == "https://x.example/a.pdf #hr #onboarding Employee  handbook"


@pytest.mark.parametrize("verb", ["retag", "recrawl", "show", "rename", "delete"])
def test_document_verbs_take_the_new_id_shape(verb: str) -> None:
    found = command(f"document {verb} {DOCUMENT_ID} #a #b")

    assert (found.verb, found.words[0]) == (verb, DOCUMENT_ID)


def test_retag_needs_an_id() -> None:
    error = parse("document retag #a")

    assert isinstance(error, UsageError)
    assert "is not a document id" in error.message


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("d8-5c71baca86fc", True),
        ("d12-0123456789ab", True),
        ("d8-cafe", False),
        ("dog-5c71baca86fc", False),
        ("d1234567890", True),
    ],
)
def test_document_ids(word: str, expected: bool) -> None:
    assert looks_like("document", word) is expected


@pytest.mark.parametrize("verb", ["list", "show", "new", "edit", "rename", "delete"])
def test_dictionary_verbs(verb: str) -> None:
    text = f"dictionary {verb}" + (
        " pd_abc123def456gh" if verb in ("show", "edit", "rename", "delete") else ""
    )

    assert command(text).verb == verb
