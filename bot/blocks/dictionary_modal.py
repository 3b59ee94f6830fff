"""The pronunciation dictionary form (new and edit): a name, and rules one per line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.start_modal import message_view
from bot.blocks.video_modal import FormValues, text_input
from bot.domain import dictionaries as domain

CALLBACK_ID = "pronunciation_dictionary"
B_NAME, B_RULES = "dictionary_name", "dictionary_rules"
TITLE_NEW, TITLE_EDIT = "New dictionary", "Edit dictionary"
RULES_HINT = (
    f"One rule per line: word {domain.ARROW} how to say it (Tavus {domain.ARROW} TAH-vus). "
    f"Wrap IPA in slashes (Tavus {domain.ARROW} /ˈtɑːvəs/). Each word once; at most "
    f"{domain.TEXT_MAX} characters before the arrow and {domain.PRONUNCIATION_MAX} after."
)

View = dict[str, Any]


def dictionary_modal(
    *, name: str | None = None, rules: str | None = None, dictionary_id: str | None = None
) -> View:
    """``dictionary_id``: the form edits that dictionary (it travels in the metadata)."""
    blocks = [
        text_input(
            B_NAME,
            "Name",
            placeholder="Brand terms",
            optional=False,
            initial=name,
            max_length=domain.NAME_MAX,
        ),
        text_input(
            B_RULES,
            "Rules",
            placeholder=f"Tavus {domain.ARROW} TAH-vus\nCVI {domain.ARROW} see vee eye",
            multiline=True,
            initial=rules,
            max_length=domain.RULES_FIELD_MAX,
            hint=RULES_HINT,
        ),
    ]
    metadata = json.dumps({"id": dictionary_id}) if dictionary_id else ""
    return kit.modal(
        title=TITLE_EDIT if dictionary_id else TITLE_NEW,
        blocks=blocks,
        callback_id=CALLBACK_ID,
        submit="Save",
        close="Cancel",
        private_metadata=metadata,
    )


@dataclass(frozen=True)
class DictionaryForm:
    name: str | None
    rules: str | None
    dictionary_id: str | None  # None: a new dictionary


def read_dictionary_form(
    values: Mapping[str, Mapping[str, Any]], private_metadata: object
) -> DictionaryForm:
    form = FormValues(values)
    return DictionaryForm(
        name=form.text(B_NAME),
        rules=form.text(B_RULES),
        dictionary_id=_dictionary_id(private_metadata),
    )


def _dictionary_id(raw: object) -> str | None:
    try:
        data = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return None
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, str) and found else None


def loading_view(title: str = TITLE_EDIT) -> View:
    return message_view(title, ":hourglass_flowing_sand: Asking Tavus…")


def saving_view(title: str = TITLE_NEW) -> View:
    return message_view(title, ":hourglass_flowing_sand: Saving…")


def result_view(title: str, text: str) -> View:
    """``text`` is mrkdwn, escaped by the caller."""
    return message_view(title, text)
