"""bot.guardrails: what is sent to create a set, and the document an edit patches towards."""

from __future__ import annotations

import dataclasses
from typing import Any

import jsonpatch
import pytest

from bot import patching
from bot.guardrails import GuardrailDraft, edited_document, spec
from bot.sets import Slot, version
from bot.tavus import GuardrailSet

OURS = "https://bot.example/tavus/callbacks/tok"
PRICING = {
    "guardrail_name": "no_pricing",
    "guardrail_prompt": "Never quote prices",
    "modality": "verbal",
    "callback_url": OURS,
}


def legacy(**fields: Any) -> GuardrailSet:
    return GuardrailSet.from_api({"guardrails_id": "g12345", "name": "Sales", **fields})


def test_a_spec_carries_our_url() -> None:
    draft = GuardrailDraft(name="no_pricing", prompt="Never quote prices")

    assert spec(draft, OURS) == PRICING
    assert "callback_url" not in spec(draft, None)


def slots(*drafts: GuardrailDraft) -> list[Slot[GuardrailDraft]]:
    return [Slot(index, draft) for index, draft in enumerate(drafts)]


def shown(found: GuardrailSet) -> list[GuardrailDraft]:
    return [GuardrailDraft.of(guardrail) for guardrail in found.guardrails]


def test_renaming_the_set_and_adding_a_guardrail() -> None:
    found = legacy(data=[PRICING])
    drafts = [*shown(found), GuardrailDraft("no_advice", "No medical advice", "visual")]

    new = edited_document(found, "Sales v2", slots(*drafts), None)
    operations = patching.diff(found.raw, new)

    assert operations == [
        {"op": "replace", "path": "/name", "value": "Sales v2"},
        {
            "op": "add",
            "path": "/data/1",
            "value": {
                "guardrail_name": "no_advice",
                "guardrail_prompt": "No medical advice",
                "modality": "visual",
                "callback_url": OURS,  # where the set's others report
            },
        },
    ]
    assert jsonpatch.apply_patch(found.raw, operations) == new


def test_an_unchanged_form_changes_nothing_even_where_tavus_left_a_field_unset() -> None:
    bare = {"guardrail_name": "no_pricing", "guardrail_prompt": "Never quote prices"}
    found = legacy(data=[bare, {**PRICING, "guardrail_name": "no_advice", "modality": "odd"}])

    assert (
        patching.diff(found.raw, edited_document(found, "Sales", slots(*shown(found)), None)) == []
    )


def test_tavus_apis_spelling_of_the_prompt_is_kept_in_the_path() -> None:
    found = legacy(data=[{"guardrail_name": "no_pricing", "guardrails_prompt": "Old"}])

    new = edited_document(found, "Sales", slots(GuardrailDraft("no_pricing", "New")), None)

    assert patching.diff(found.raw, new) == [
        {"op": "replace", "path": "/data/0/guardrails_prompt", "value": "New"},
    ]


def test_a_long_prompt_is_not_written_when_another_field_changes() -> None:
    long = "Never quote prices. " * 75  # 1,500 characters: more than the form's field
    found = legacy(data=[{**PRICING, "guardrail_prompt": long}])
    (pricing,) = shown(found)

    visual = dataclasses.replace(pricing, modality="visual")
    new = edited_document(found, "Sales", slots(visual), None)

    assert patching.diff(found.raw, new) == [
        {"op": "replace", "path": "/data/0/modality", "value": "visual"}
    ]


def test_a_newer_single_guardrail_is_edited_in_place() -> None:
    single = {"uuid": "0b6c2f3e-1d2a-5b7c-9e0f-123456789abc", **PRICING, "tags": ["x"]}
    found = GuardrailSet.from_api(single)

    new = edited_document(found, "ignored", slots(GuardrailDraft("no_pricing", "Never")), None)

    assert patching.diff(found.raw, new) == [
        {"op": "replace", "path": "/guardrail_prompt", "value": "Never"}
    ]


def test_a_set_shown_by_one_guardrail_cannot_grow() -> None:
    found = legacy(data=PRICING)
    drafts = [GuardrailDraft("a", "A"), GuardrailDraft("b", "B")]

    with pytest.raises(ValueError, match="one guardrail"):
        edited_document(found, "Sales", slots(*drafts), None)


def test_the_version_changes_with_any_change_in_tavus() -> None:
    opened = version(legacy(data=[PRICING]).raw)

    assert version(legacy(data=[PRICING]).raw) == opened
    assert version(legacy(data=[{**PRICING, "guardrail_prompt": "Quote away"}]).raw) != opened
