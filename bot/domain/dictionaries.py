"""Pronunciation dictionaries: rules written one per line as `word -> pronunciation`.

A pronunciation wrapped in slashes (`Tavus -> /ˈtɑːvəs/`) is IPA; anything else is an
alias, the text the voice says instead. Tavus refuses two rules with the same text, a text
over 200 characters and a pronunciation over 500 (tavus-openapi.yml); the form says so
before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

KIND = "dictionary"
ID_KEY = "pronunciation_dictionary_id"

ARROW = "->"
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
        said = f"/{self.pronunciation}/" if self.type == IPA else self.pronunciation
        return f"{self.text} {ARROW} {said}"


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
    text, arrow, said = line.partition(ARROW)
    text, said = text.strip(), said.strip()
    if not arrow:
        raise RulesError(f"Line {number} needs an arrow: `word {ARROW} pronunciation`.")
    if not text or not said:
        raise RulesError(f"Line {number} needs a word before `{ARROW}` and its sound after it.")
    kind = ALIAS
    if len(said) > 2 and said.startswith("/") and said.endswith("/"):
        kind, said = IPA, said[1:-1].strip()
    if len(text) > TEXT_MAX:
        raise RulesError(f"Line {number}: the word is over {TEXT_MAX} characters.")
    if len(said) > PRONUNCIATION_MAX:
        raise RulesError(f"Line {number}: the sound is over {PRONUNCIATION_MAX} characters.")
    return Rule(text=text, pronunciation=said, type=kind)


def rules_text(rules: Iterable[Rule]) -> str:
    return "\n".join(rule.as_line() for rule in rules)
