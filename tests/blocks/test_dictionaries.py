from __future__ import annotations

import json

import pytest

from bot.blocks.dictionaries import dictionary_details, dictionary_line, saved_text
from bot.blocks.dictionary_modal import (
    B_NAME,
    B_RULES,
    dictionary_modal,
    read_dictionary_form,
)
from bot.tavus import PronunciationDictionary
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_message, assert_valid_view

DICTIONARY_ID = "pd_abc123def456gh"


def dictionary(**fields: object) -> PronunciationDictionary:
    data = {
        "pronunciation_dictionary_id": DICTIONARY_ID,
        "name": "Brand terms",
        "rules": [
            {"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"},
            {"text": "CVI", "pronunciation": "siː", "type": "ipa", "case_sensitive": True},
            {"text": "AI", "pronunciation": "ay eye", "type": "alias", "word_boundaries": False},
        ],
        "created_at": "2025-01-15T10:30:00Z",
        "updated_at": "2025-01-16T10:30:00Z",
        **fields,
    }
    return PronunciationDictionary.from_api(data)


def test_a_listing_line() -> None:
    listed = PronunciationDictionary.from_api(
        {"pronunciation_dictionary_id": DICTIONARY_ID, "name": "Brand terms", "rules_count": 1}
    )

    assert dictionary_line(listed) == f"`{DICTIONARY_ID}` *Brand terms* · 1 rule"


def test_details_show_every_rule_as_the_form_writes_it() -> None:
    text, blocks = dictionary_details(dictionary())

    shown = json.dumps(blocks, ensure_ascii=False)
    assert "• *Tavus* → TAH-vus" in shown
    assert "• *CVI* → /siː/ _(case-sensitive)_" in shown
    assert "• *AI* → ay eye _(inside words too)_" in shown
    assert "3 rules" in shown and "pronunciation_dictionary_id" in shown
    assert_valid_message(text, blocks)


def test_an_alias_that_would_read_as_ipa_is_shown_as_the_form_writes_it() -> None:
    rules = [{"text": "and/or", "pronunciation": "/and or/", "type": "alias"}]

    _, blocks = dictionary_details(dictionary(rules=rules))

    assert "• *and/or* → \\\\/and or/" in json.dumps(blocks, ensure_ascii=False)


def test_details_of_an_empty_dictionary() -> None:
    _, blocks = dictionary_details(dictionary(rules=[]))

    assert "No rules yet" in json.dumps(blocks)


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_names_and_rules_are_escaped_and_fit(value: object) -> None:
    rule = {"text": value, "pronunciation": value, "type": "ipa"}
    hostile = dictionary(name=value, rules=[rule] * 60, updated_at=value)
    text, blocks = dictionary_details(hostile)
    line = dictionary_line(hostile)
    saved = saved_text(str(value), str(value), 2, created=True)

    shown = text + json.dumps(blocks) + line + saved
    assert "<!channel>" not in shown and "<https://evil|click>" not in shown
    assert_valid_message(text, blocks)


@pytest.mark.parametrize("value", TEXTS)
def test_the_form_fits_whatever_it_is_filled_with(value: object) -> None:
    view = dictionary_modal(name=str(value), rules=str(value), dictionary_id=DICTIONARY_ID)

    assert view["title"]["text"] == "Edit dictionary"
    assert_valid_view(view)


def test_the_form_carries_the_dictionary_it_edits() -> None:
    view = dictionary_modal(name="Brand", rules="a -> b", dictionary_id=DICTIONARY_ID)
    values = {B_NAME: {B_NAME: {"value": " Brand "}}, B_RULES: {B_RULES: {"value": "a -> b\n"}}}

    form = read_dictionary_form(values, view["private_metadata"])

    assert (form.name, form.rules, form.dictionary_id) == ("Brand", "a -> b", DICTIONARY_ID)
    assert dictionary_modal()["title"]["text"] == "New dictionary"
    assert read_dictionary_form({}, "not json").dictionary_id is None
