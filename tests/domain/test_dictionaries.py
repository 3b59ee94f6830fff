from __future__ import annotations

import pytest

from bot.domain.dictionaries import Rule, RulesError, parse_rules, rules_text


def test_rules_are_read_one_per_line_and_slashes_mean_ipa() -> None:
    rules = parse_rules("Tavus -> TAH-vus\n\n  CVI->/siː viː aɪ/  \nx -> a -> b\n")

    assert rules == [
        Rule("Tavus", "TAH-vus", "alias"),
        Rule("CVI", "siː viː aɪ", "ipa"),
        Rule("x", "a -> b", "alias"),
    ]


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
