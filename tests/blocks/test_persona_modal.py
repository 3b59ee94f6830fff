"""The persona forms and the change preview: prefilled, read back, never cutting a value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import personas as edits
from bot.blocks import persona_modal as modal
from bot.blocks import pickers
from bot.blocks.personas import Names
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_view
from tests.handlers.persona_forms import submitted

PERSONA: dict[str, Any] = {
    "persona_id": "p5317866",
    "persona_name": "Life Coach",
    "persona_type": "user",
    "pipeline_mode": "full",
    "system_prompt": "You coach.",
    "context": "",
    "default_replica_id": "r79e1c033f",
    "document_ids": ["d1", "d2"],
    "document_tags": ["pricing", "onboarding"],
    "objectives_id": None,
    "guardrails_id": "g12345",
    "layers": {"llm": {"model": "my-own-llm"}, "perception": {"perception_model": "off"}},
}


def elements(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def edit_view(persona: dict[str, Any], names: Names | None = None) -> dict[str, Any]:
    return modal.edit_persona_modal(persona, names or Names(), private_metadata="{}")


def test_the_new_form_has_every_field_with_pickers_for_ids() -> None:
    view = modal.new_persona_modal()
    fields = elements(view)

    assert_valid_view(view)
    assert view["callback_id"] == modal.NEW_CALLBACK
    assert fields[modal.B_REPLICA]["action_id"] == pickers.REPLICA_PICKER
    assert fields[modal.B_DOCUMENTS]["type"] == "multi_external_select"
    assert fields[modal.B_DOCUMENTS]["action_id"] == pickers.DOCUMENT_PICKER
    assert fields[modal.B_OBJECTIVES]["action_id"] == pickers.OBJECTIVES_PICKER
    assert fields[modal.B_GUARDRAILS]["action_id"] == pickers.GUARDRAILS_PICKER
    assert fields[modal.B_DICTIONARY]["action_id"] == pickers.DICTIONARY_PICKER
    assert fields[modal.B_MODE]["initial_option"]["value"] == "full"
    assert modal.B_PATCH not in fields


def test_the_edit_form_is_prefilled_and_reads_back_unchanged() -> None:
    names = Names(replicas={"r79e1c033f": "Anna"}, documents={"d1": "Pricing sheet"})
    view = edit_view(PERSONA, names)
    fields = elements(view)

    assert_valid_view(view)
    assert view["callback_id"] == modal.EDIT_CALLBACK
    assert view["notify_on_close"] is True
    assert fields[modal.B_REPLICA]["initial_option"]["text"]["text"] == "Anna (r79e1c033f)"
    assert [o["value"] for o in fields[modal.B_DOCUMENTS]["initial_options"]] == ["d1", "d2"]
    assert fields[modal.B_TAGS]["initial_value"] == "pricing, onboarding"
    # A model not in Tavus's list (the persona's own LLM) stays chosen.
    assert fields[modal.B_LLM]["initial_option"]["value"] == "my-own-llm"
    assert fields[modal.B_PERCEPTION]["initial_option"]["value"] == "off"
    assert modal.B_PATCH in fields

    form = modal.read_form(submitted(view))
    assert form == edits.form_values(PERSONA)
    assert edits.form_operations(PERSONA, edits.form_values(PERSONA), form) == []


def test_a_prompt_too_long_for_a_field_is_left_out_with_a_note() -> None:
    long_prompt = "Be kind." * 500
    view = edit_view({**PERSONA, "system_prompt": long_prompt})

    assert modal.B_PROMPT not in elements(view)
    assert f"{len(long_prompt):,} characters" in json.dumps(view)
    assert "`/system_prompt`" in json.dumps(view)
    assert edits.PROMPT not in modal.read_form(submitted(view))
    assert_valid_view(view)


@pytest.mark.parametrize(
    ("changes", "block"),
    [
        ({"default_replica_id": "r" * 200}, modal.B_REPLICA),
        ({"document_ids": ["d1", "d" * 200]}, modal.B_DOCUMENTS),
        ({"document_ids": [f"d{i}" for i in range(101)]}, modal.B_DOCUMENTS),
        ({"document_tags": ["product info", "pricing"]}, modal.B_TAGS),
        ({"document_tags": ["a,b"]}, modal.B_TAGS),
    ],
)
def test_values_a_field_would_change_by_showing_are_left_out(
    changes: dict[str, Any], block: str
) -> None:
    persona = {**PERSONA, **changes}

    view = edit_view(persona)

    assert block not in elements(view)
    assert modal.PATHS[block] not in modal.read_form(submitted(view))
    assert "JSON Patch field" in json.dumps(view)
    assert_valid_view(view)


def test_tags_are_read_as_words_without_hashes_or_repeats() -> None:
    assert modal.tags("#pricing, onboarding  #pricing,,") == ("pricing", "onboarding")
    assert modal.tags("") == ()


def test_cleared_fields_read_as_unset() -> None:
    values = submitted(edit_view(PERSONA))
    values[modal.B_CONTEXT] = {modal.B_CONTEXT: {"type": "plain_text_input", "value": "  "}}
    values[modal.B_REPLICA] = {pickers.REPLICA_PICKER: {"selected_option": None}}

    form = modal.read_form(values)

    assert form[edits.CONTEXT] is None
    assert form[edits.REPLICA] is None
    assert modal.read_patch(values) is None


@pytest.mark.parametrize("raw", TEXTS, ids=lambda raw: repr(raw)[:20])
def test_hostile_personas_make_valid_forms(raw: Any) -> None:
    persona = {
        **PERSONA,
        "persona_id": raw,
        "persona_name": raw,
        "system_prompt": raw,
        "context": raw,
        "default_replica_id": raw,
        "document_ids": [raw],
        "document_tags": [raw],
        "layers": {"llm": {"model": raw}, "tts": {"tts_engine": raw}},
    }
    names = Names(replicas={str(raw): str(raw)}, documents={str(raw): str(raw)})

    view = edit_view(persona, names)

    assert_valid_view(view)
    assert "<!channel>" not in json.dumps([b for b in view["blocks"] if b["type"] != "input"])


def test_the_preview_shows_each_change_before_and_after() -> None:
    changes = [
        edits.Change("/persona_name", "Life Coach", "Coach"),
        edits.Change("/system_prompt", "Old line\n" * 400, "New <!channel> line\n" * 300),
        edits.Change("/default_replica_id", "r79e1c033f", None),
        edits.Change("/document_ids", ["d1"], ["d1", "d2"]),
        edits.Change("/layers/llm/speculative_inference", None, True),
    ]

    view = modal.preview_view(PERSONA, changes, private_metadata='{"v": {}}')
    text = json.dumps(view, ensure_ascii=False)

    assert_valid_view(view)
    assert view["callback_id"] == modal.APPLY_CALLBACK
    assert view["submit"]["text"] == "Apply"
    assert "`Life Coach` → `Coach`" in text
    assert "(3,600 characters → 6,000 characters)" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "`r79e1c033f` → _not set_" in text
    assert "`d1` → `d1`, `d2`" in text
    assert "_not set_ → `true`" in text


def test_a_preview_of_many_changes_says_how_many_more() -> None:
    changes = [edits.Change(f"/layers/llm/x{i}", i, i + 1) for i in range(30)]

    view = modal.preview_view(PERSONA, changes, private_metadata="")

    assert_valid_view(view)
    assert "…and 10 more." in json.dumps(view, ensure_ascii=False)


@pytest.mark.parametrize("raw", TEXTS, ids=lambda raw: repr(raw)[:20])
def test_hostile_changes_make_a_valid_preview(raw: Any) -> None:
    changes = [edits.Change(f"/{raw}", raw, raw), edits.Change("/context", None, raw)]

    assert_valid_view(modal.preview_view({"persona_name": raw}, changes, private_metadata=""))
