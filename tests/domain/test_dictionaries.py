from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.dictionaries import (
    Rule,
    RulesError,
    line_problem,
    parse_rules,
    rules_problem,
    rules_text,
)

# What str.splitlines() breaks a line at: a rule holding one cannot be one line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def test_rules_are_read_one_per_line_and_slashes_mean_ipa() -> None:
    text = "Tavus -> TAH-vus\n\n  CVI->/siː viː aɪ/  \nC->D -> see to dee\nand/or -> \\/and or/\n"

    assert parse_rules(text) == [
        Rule("Tavus", "TAH-vus", "alias"),
        Rule("CVI", "siː viː aɪ", "ipa"),
        Rule("C->D", "see to dee", "alias"),
        Rule("and/or", "/and or/", "alias"),
    ]


def test_a_line_splits_at_its_last_arrow() -> None:
    assert parse_rules("x -> a -> b\nA->B->c") == [Rule("x -> a", "b"), Rule("A->B", "c")]


def test_rules_made_elsewhere_survive_the_forms_round_trip() -> None:
    """The review's repro: a word holding `->` became its first half, and an alias wrapped in
    slashes became IPA, when the edit form was saved unchanged."""
    before = [
        Rule("C->D", "see to dee"),
        Rule("and/or", "/and or/", "alias"),
        Rule("TCP/IP", "tee see pee eye pee"),
        Rule("back", "\\slash", "alias"),
        Rule("ipa", "/sl/", "ipa"),
    ]

    assert rules_problem(before) is None
    assert parse_rules(rules_text(before)) == before


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (Rule("two\nlines", "x"), "line break"),
        (Rule("x", " padded"), "would read differently"),
        (Rule("x", "a -> b"), "would read differently"),
        (Rule("x", "y", "phoneme"), "its type is 'phoneme'"),
        (Rule("x" * 201, "y"), "longer than a rule may be"),
    ],
)
def test_a_rule_that_cannot_be_one_line_says_why(rule: Rule, words: str) -> None:
    problem = line_problem(rule)

    assert problem is not None and words in problem
    assert "rule 2" in (rules_problem([Rule("ok", "fine"), rule]) or "")


def test_two_rules_for_one_word_cannot_be_shown() -> None:
    assert "repeats" in (rules_problem([Rule("a", "b"), Rule("a", "c")]) or "")


def _line_text(max_size: int) -> st.SearchStrategy[str]:
    """Text a line can hold: no line break, no spaces around it, not empty."""
    tricky = st.sampled_from(["-", ">", "/", "\\", " ", "\t", "a"])  # what lines are made of
    anything = st.characters(blacklist_categories=("Cs",), blacklist_characters=LINE_BREAKS)
    text = st.text(st.one_of(tricky, anything), min_size=1, max_size=max_size)
    return text.filter(lambda t: t == t.strip())


# Any word (arrows, slashes and backslashes too); any pronunciation but one holding the
# separator ` -> ` (or starting with `-> `, which would make one with the arrow before it),
# often wrapped in slashes or after a backslash, as an alias that would read as IPA would be.
_SOUND = _line_text(498).filter(lambda t: " -> " not in t and not t.startswith("-> "))
WORDS = st.one_of(_line_text(200), st.builds("{}->{}".format, _line_text(99), _line_text(99)))
SOUNDS = st.one_of(_SOUND, _SOUND.map("/{}/".format), _SOUND.map("\\{}".format))
RULES = st.builds(Rule, WORDS, SOUNDS, st.sampled_from(["alias", "ipa"]))
ANY_TEXT = st.text(st.one_of(st.sampled_from(["-", ">", "/", "\\", " ", "\n"]), st.characters()))
ANY_RULES = st.builds(Rule, ANY_TEXT, ANY_TEXT, st.sampled_from(["alias", "ipa", "x"]))


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(RULES, max_size=8, unique_by=lambda rule: rule.text))
def test_every_rule_a_line_can_hold_reads_back_the_same(rules: list[Rule]) -> None:
    assert rules_problem(rules) is None
    assert parse_rules(rules_text(rules)) == rules


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(ANY_RULES, max_size=5))
def test_rules_are_shown_only_when_they_read_back_the_same(rules: list[Rule]) -> None:
    """Whatever Tavus holds: either the form may show the rules, and saving them unchanged
    keeps them, or it says why it does not show them."""
    problem = rules_problem(rules)

    if problem is None:
        assert parse_rules(rules_text(rules)) == rules
    else:
        assert problem


def test_rules_written_back_read_the_same() -> None:
    rules = [Rule("Tavus", "TAH-vus"), Rule("CVI", "siː", "ipa")]

    assert rules_text(rules) == "Tavus -> TAH-vus\nCVI -> /siː/"
    assert parse_rules(rules_text(rules)) == rules


@pytest.mark.parametrize("text", [None, "", " \n\n "])
def test_no_rules_is_fine(text: str | None) -> None:
    assert parse_rules(text) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Tavus TAH-vus", "Line 1 needs an arrow"),
        ("a -> b\n\nTavus =>", "Line 3 needs an arrow"),
        ("-> b", "Line 1 needs a word before"),
        ("a ->   ", "Line 1 needs a word before"),
        ("a -> b\nb -> c\na -> d", "Line 3 repeats 'a' from line 1"),
        ("x" * 201 + " -> y", "over 200 characters"),
        ("x -> " + "y" * 501, "over 500 characters"),
    ],
)
def test_a_wrong_line_is_named(text: str, words: str) -> None:
    with pytest.raises(RulesError, match=words):
        parse_rules(text)


def test_the_limits_themselves_are_fine() -> None:
    (rule,) = parse_rules("x" * 200 + " -> " + "y" * 500)

    assert (len(rule.text), len(rule.pronunciation)) == (200, 500)


def test_words_differing_in_case_are_two_rules() -> None:
    assert len(parse_rules("Tavus -> a\ntavus -> b")) == 2
