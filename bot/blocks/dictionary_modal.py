"""The pronunciation dictionary form (new and edit): a name, and rules one per line.

The edit form shows the dictionary's rules only when saving them unchanged would keep them
(``bot.domain.dictionaries.rules_problem``); otherwise a note says why they are not in the
form, and the form renames the dictionary only. What it was opened on (``Opened``) travels
in ``private_metadata``, so that saving sends only what the user changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.start_modal import message_view
from bot.blocks.text import escape
from bot.blocks.video_modal import FormValues, text_input
from bot.domain import dictionaries as domain

CALLBACK_ID = "pronunciation_dictionary"
B_NAME, B_RULES = "dictionary_name", "dictionary_rules"
TITLE_NEW, TITLE_EDIT = "New dictionary", "Edit dictionary"
RULES_HINT = (
    f"One rule per line: word {domain.ARROW} how to say it (Tavus {domain.ARROW} TAH-vus). "
    f"Wrap IPA in slashes (Tavus {domain.ARROW} /ˈtɑːvəs/); start with a backslash to keep "
    f"slashes in an alias (and/or {domain.ARROW} \\/and or/). Each word once; at most "
    f"{domain.TEXT_MAX} characters before the arrow and {domain.PRONUNCIATION_MAX} after."
)
ELSEWHERE = "change them with the Tavus API (a JSON Patch of `/rules`)"

Block = dict[str, Any]
View = dict[str, Any]


@dataclass(frozen=True)
class Opened:
    """What an edit form showed: fingerprints of the dictionary's rules as Tavus had them
    (``version``), of the name and of the rules it showed (None: not in the form)."""

    version: str
    name: str | None
    rules: str | None

    def as_json(self) -> dict[str, str | None]:
        return {"v": self.version, "n": self.name, "r": self.rules}

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Opened | None:
        version, name, rules = (data.get(k) for k in ("v", "n", "r"))
        if not isinstance(version, str) or not version:
            return None
        return cls(version, _text_or_none(name), _text_or_none(rules))


def shown_name(name: str | None) -> str | None:
    """What the form's name field holds when prefilled with ``name`` (the kit keeps it
    within the field and valid for Slack), as the form reads it back."""
    element = kit.plain_text_input(action_id=B_NAME, initial_value=name, max_length=domain.NAME_MAX)
    return str(element.get("initial_value") or "").strip() or None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def dictionary_modal(
    *,
    name: str | None = None,
    rules: str | None = None,
    dictionary_id: str | None = None,
    opened: Opened | None = None,
    rules_left_out: str | None = None,
) -> View:
    """``dictionary_id``: the form edits that dictionary, as it was ``opened`` (both travel
    in the metadata); ``rules_left_out``: why its rules are not in the form."""
    blocks = [
        text_input(
            B_NAME,
            "Name",
            placeholder="Brand terms",
            optional=False,
            initial=name,
            max_length=domain.NAME_MAX,
        ),
        _rules(rules, rules_left_out),
    ]
    metadata = ""
    if dictionary_id:
        metadata = json.dumps({"id": dictionary_id, **(opened.as_json() if opened else {})})
    return kit.modal(
        title=TITLE_EDIT if dictionary_id else TITLE_NEW,
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Save",
        close="Cancel",
        private_metadata=metadata,
    )


def _rules(rules: str | None, left_out: str | None) -> Block:
    if left_out is not None:
        return kit.context(
            f":warning: *Rules* are not in this form: {escape(left_out)}. Saving changes only "
            f"the name; {ELSEWHERE}."
        )
    return text_input(
        B_RULES,
        "Rules",
        placeholder=f"Tavus {domain.ARROW} TAH-vus\nCVI {domain.ARROW} see vee eye",
        multiline=True,
        initial=rules,
        max_length=domain.RULES_FIELD_MAX,
        hint=RULES_HINT,
    )


@dataclass(frozen=True)
class DictionaryForm:
    name: str | None
    rules: str | None
    dictionary_id: str | None  # None: a new dictionary
    opened: Opened | None = None  # what an edit form showed
    has_rules: bool = True  # False: the rules were not in the form, and are not changed


def read_dictionary_form(
    values: Mapping[str, Mapping[str, Any]], private_metadata: object
) -> DictionaryForm:
    form = FormValues(values)
    data = _metadata(private_metadata)
    found = data.get("id")
    return DictionaryForm(
        name=form.text(B_NAME),
        rules=form.text(B_RULES),
        dictionary_id=found if isinstance(found, str) and found else None,
        opened=Opened.parse(data),
        has_rules=B_RULES in values,
    )


def _metadata(raw: object) -> dict[str, Any]:
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def loading_view(title: str = TITLE_EDIT) -> View:
    return message_view(title, ":hourglass_flowing_sand: Asking Tavus…")


def saving_view(title: str = TITLE_NEW) -> View:
    return message_view(title, ":hourglass_flowing_sand: Saving…")


def result_view(title: str, text: str) -> View:
    """``text`` is mrkdwn, escaped by the caller."""
    return message_view(title, text)
