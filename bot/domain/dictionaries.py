"""Pronunciation dictionaries: rules written one per line as `word -> pronunciation`.

A line splits at its last ` -> ` (at its last `->` when it has none), so a word may hold an
arrow (`C->D -> see to dee`). A pronunciation wrapped in slashes (`Tavus -> /ˈtɑːvəs/`) is
IPA; anything else is an alias, the text the voice says instead, and a backslash first
keeps an alias that is itself wrapped in slashes (or starts with a backslash) one:
`and/or -> \\/and or/` is the alias `/and or/`.

Writing rules as lines and reading them back gives the same rules (``line_problem`` says
why a rule cannot be written so: a line break in it, spaces around it...); the edit form
shows a dictionary's rules only when every one can. Tavus refuses two rules with the same
text, a text over 200 characters and a pronunciation over 500 (tavus-openapi.yml); the form
says so before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KIND = "dictionary"
ID_KEY = "pronunciation_dictionary_id"

ARROW = "->"
SPACED_ARROW = f" {ARROW} "
ESCAPE = "\\"  # before an alias that would read as IPA, or that starts with a backslash
SLASH = "/"
ALIAS = "alias"
IPA = "ipa"
NAME_MAX = 255
TEXT_MAX = 200
PRONUNCIATION_MAX = 500
# The rules travel in one text field, which Slack caps at 3,000 characters.
RULES_FIELD_MAX = 3000
# Per-rule settings the lines do not show; kept from the rule of the same text on an edit.
KEPT_SETTINGS = ("case_sensitive", "word_boundaries")


@dataclass(frozen=True)
class Rule:
    text: str
    pronunciation: str
    type: str = ALIAS

    def as_line(self) -> str:
        return f"{self.text}{SPACED_ARROW}{said_text(self.pronunciation, self.type)}"


def said_text(pronunciation: str, kind: str) -> str:
    """A pronunciation as a line holds it: IPA in slashes, an alias as it is (escaped when it
    would read as IPA or as escaped)."""
    if kind == IPA:
        return f"{SLASH}{pronunciation}{SLASH}"
    if pronunciation.startswith(ESCAPE) or _slashed(pronunciation):
        return ESCAPE + pronunciation
    return pronunciation


def _slashed(said: str) -> bool:
    return len(said) > 2 and said.startswith(SLASH) and said.endswith(SLASH)


class RulesError(ValueError):
    """What is wrong with the rules as typed, in words for the form (line numbers from 1)."""


def parse_rules(text: str | None) -> list[Rule]:
    """One rule per non-empty line; raises RulesError naming the first line that is wrong."""
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        rule = _rule(line, number)
        if rule.text in seen:
            raise RulesError(
                f"Line {number} repeats {rule.text!r} from line {seen[rule.text]}: "
                "one rule per word."
            )
        seen[rule.text] = number
        rules.append(rule)
    return rules


def _rule(line: str, number: int) -> Rule:
    text, arrow, said = line.rpartition(SPACED_ARROW if SPACED_ARROW in line else ARROW)
    text, said = text.strip(), said.strip()
    if not arrow:
        raise RulesError(f"Line {number} needs an arrow: `word {ARROW} pronunciation`.")
    kind = ALIAS
    if said.startswith(ESCAPE):
        said = said[len(ESCAPE) :]
    elif _slashed(said):
        kind, said = IPA, said[1:-1].strip()
    if not text or not said:
        raise RulesError(f"Line {number} needs a word before `{ARROW}` and its sound after it.")
    if len(text) > TEXT_MAX:
        raise RulesError(f"Line {number}: the word is over {TEXT_MAX} characters.")
    if len(said) > PRONUNCIATION_MAX:
        raise RulesError(f"Line {number}: the sound is over {PRONUNCIATION_MAX} characters.")
    return Rule(text=text, pronunciation=said, type=kind)


def rules_text(rules: Iterable[Rule]) -> str:
    return "\n".join(rule.as_line() for rule in rules)


def line_problem(rule: Rule) -> str | None:
    """Why ``rule`` cannot be written as a line that reads back as itself (None: it can)."""
    line = rule.as_line()
    if len(line.splitlines()) != 1:
        return "it holds a line break"
    try:
        back = _rule(line, 1)
    except RulesError:
        back = None
    if back == rule:
        return None
    if rule.type not in (ALIAS, IPA):
        return f"its type is {rule.type!r}"
    if len(rule.text) > TEXT_MAX or len(rule.pronunciation) > PRONUNCIATION_MAX:
        return "it is longer than a rule may be"
    return "its spaces, arrows or slashes would read differently"


def rules_problem(rules: Sequence[Rule]) -> str | None:
    """Why the form cannot show ``rules`` so that saving them unchanged keeps them (None:
    it can), naming the first rule that cannot be written as a line."""
    for number, rule in enumerate(rules, start=1):
        problem = line_problem(rule)
        if problem is not None:
            return f"rule {number} ({rule.text[:40]!r}) cannot be written as a line: {problem}"
    try:
        same = parse_rules(rules_text(rules)) == list(rules)
    except RulesError as exc:
        return str(exc)
    return None if same else "its rules would read back differently"
