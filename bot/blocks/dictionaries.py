"""Block Kit for pronunciation dictionaries: listing lines and details.

Every word and pronunciation is the user's or Tavus's text: escaped and capped before it
joins a line, so a hostile rule cannot ping a channel or push the others out of the message.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import kit
from bot.blocks.conversations import one_line, shown_id
from bot.blocks.text import escape, plain
from bot.domain import dictionaries as domain
from bot.tavus import PronunciationDictionary, PronunciationRule

Blocks = list[dict[str, Any]]

RULE_WORD_MAX = 80
RULE_SAID_MAX = 120
_TIME_MAX = 64
USE_IT = (
    "A persona speaks by it once its voice layer names it "
    "(`layers.tts.pronunciation_dictionary_id`)."
)


def rules_count(count: int) -> str:
    return f"{count} rule{'s' if count != 1 else ''}"


def dictionary_line(dictionary: PronunciationDictionary) -> str:
    """One mrkdwn line of `/tavus dictionaries`."""
    name = one_line(dictionary.name or "Untitled")
    line = f"{shown_id(dictionary.dictionary_id)} *{name}* · {rules_count(dictionary.rules_count)}"
    if dictionary.updated_at:
        line += f" · updated {one_line(dictionary.updated_at, _TIME_MAX)}"
    return line


def rule_line(rule: PronunciationRule) -> str:
    """`• *Tavus* → TAH-vus`; IPA between slashes, as the form takes it (and an alias that
    would read as IPA after a backslash)."""
    said = plain(domain.said_text(rule.pronunciation, rule.type), RULE_SAID_MAX)
    extras = ["case-sensitive"] if rule.case_sensitive else []
    if rule.word_boundaries is False:
        extras.append("inside words too")
    suffix = f" _({', '.join(extras)})_" if extras else ""
    return f"• *{one_line(rule.text, RULE_WORD_MAX)}* → {escape(said)}{suffix}"


def dictionary_details(dictionary: PronunciationDictionary) -> tuple[str, Blocks]:
    """`/tavus dictionary show`: the facts, then every rule (split over sections to fit)."""
    name = one_line(dictionary.name or "Untitled dictionary")
    facts = [
        f"*{name}* {shown_id(dictionary.dictionary_id)} · {rules_count(dictionary.rules_count)}",
        f"*Created:* {one_line(dictionary.created_at or '—', _TIME_MAX)}   "
        f"*Updated:* {one_line(dictionary.updated_at or '—', _TIME_MAX)}",
    ]
    rules = "\n".join(rule_line(rule) for rule in dictionary.rules) or "_No rules yet._"
    blocks: Blocks = [kit.section("\n".join(facts)), *kit.sections(rules), kit.context(USE_IT)]
    return kit.message(f"Pronunciation dictionary {one_line(dictionary.dictionary_id, 80)}", blocks)


def saved_text(name: str | None, dictionary_id: str, count: int, *, created: bool) -> str:
    """What the form says once Tavus has the dictionary (mrkdwn, escaped)."""
    shown = one_line(name or "The dictionary")
    done = "Created" if created else "Saved"
    return (
        f":white_check_mark: {done} *{shown}* {shown_id(dictionary_id)} with "
        f"{rules_count(count)}. {USE_IT}"
    )
