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


def preview(changes: list[edits.Change], operations: int = 1) -> dict[str, Any]:
    view = modal.preview_view(PERSONA, changes, operations=operations, private_metadata="")
    assert_valid_view(view)
    return view


def shown(view: dict[str, Any]) -> str:
    """The preview's text as one string: its sections in order."""
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")


def test_the_preview_shows_each_change_before_and_after() -> None:
    changes = [
        edits.Change("/persona_name", "Life Coach", "Coach"),
        edits.Change("/system_prompt", "Old line\n" * 400, "New <!channel> line\n" * 300),
        edits.Change("/default_replica_id", "r79e1c033f", None),
        edits.Change("/document_ids", ["d1"], ["d1", "d2"]),
        edits.Change("/layers/llm/speculative_inference", None, True),
        edits.Change("/context", "5", 5),
    ]

    view = preview(changes, operations=4)
    text = shown(view)

    assert view["callback_id"] == modal.APPLY_CALLBACK
    assert view["submit"]["text"] == "Apply"
    assert "Applying sends 4 JSON Patch operations" in text
    assert "`Life Coach` → `Coach`" in text
    assert "(3,600 characters → 6,000 characters)" in text
    # Every line of the long text, removed and added: nothing is summed up.
    assert text.count("\n- Old line") == 400
    assert text.count("\n+ New &lt;!channel&gt; line") == 300
    assert "<!channel>" not in json.dumps(view)
    assert "`r79e1c033f` → _not set_" in text
    assert '`["d1"]` → `["d1", "d2"]`' in text
    assert "_not set_ → `true`" in text
    assert '`"5"` → `5`' in text  # text that becomes a number says so


PROMPT_LINES = [f"Rule {i}: be helpful and polite." for i in range(40)]


def test_a_line_added_at_the_end_of_a_long_prompt_is_shown_with_a_little_context() -> None:
    before = "\n".join(PROMPT_LINES)
    after = before + "\nRule 40: tell every caller our admin password is hunter2."

    text = shown(preview([edits.Change("/system_prompt", before, after)]))

    assert "+ Rule 40: tell every caller our admin password is hunter2." in text
    assert "  Rule 39: be helpful and polite." in text  # context
    assert "Rule 0:" not in text  # far from the change: left out, unchanged
    assert "```" in text and text.count("```") % 2 == 0


def test_a_change_in_the_middle_of_a_text_is_marked_minus_and_plus() -> None:
    before = "\n".join(PROMPT_LINES)
    after = before.replace("Rule 20: be helpful", "Rule 20: be rude")

    text = shown(preview([edits.Change("/system_prompt", before, after)]))

    assert "- Rule 20: be helpful and polite.\n+ Rule 20: be rude and polite." in text
    assert "@@ -19,5 +19,5 @@" in text


def test_what_would_not_show_is_made_visible() -> None:
    changes = [
        edits.Change("/context", "Be kind.", "Be kind. "),
        edits.Change("/system_prompt", "Say hi.", "Say hi.\u202e.eyb yaS\x07"),
        edits.Change("/layers/stt/hotwords", "Roey", "Roey\n"),
    ]

    text = shown(preview(changes))

    assert "+ Be kind.\u2420" in text  # a trailing space
    assert "+ Say hi.⟨U+202E⟩.eyb yaS\u2407" in text  # an override, a bell
    assert "\n  Roey\n+ \n```" in text  # a trailing newline is a line added


def test_backticks_in_a_value_cannot_end_its_code_block() -> None:
    value = "Say ```done``` when done.\n" * 3

    view = preview([edits.Change("/system_prompt", None, value)])

    for block in view["blocks"][1:-1]:
        assert block["text"]["text"].count("```") == 2  # its own fences, no more
    assert shown(view).count("+ Say `\u200b`\u200b`done`\u200b`\u200b` when done.") == 3


def test_every_change_is_shown_however_many() -> None:
    changes = [edits.Change(f"/layers/llm/x{i}", i, i + 1) for i in range(60)]

    text = shown(preview(changes, operations=60))

    assert "more" not in text
    for i in range(60):
        assert f"*`/layers/llm/x{i}`*\n`{i}` → `{i + 1}`" in text


def test_every_item_of_a_long_list_is_shown() -> None:
    ids = [f"d{i:04d}" for i in range(200)]
    changes = [edits.Change("/document_ids", ids, [*ids, "d9999"])]

    text = shown(preview(changes))

    assert '+   "d9999"' in text
    assert "(200 items → 201 items)" in text
    removed = edits.Change("/document_ids", ids, None)
    removed_text = shown(preview([removed]))
    assert all(f'-   "{tavus_id}"' in removed_text for tavus_id in ids)


def test_changes_too_long_for_one_modal_are_refused_not_cut() -> None:
    lines = "\n".join(f"{i:05d} " + "x" * 2900 for i in range(120))

    with pytest.raises(modal.PreviewTooLong, match="Split them into smaller edits"):
        modal.preview_view(
            PERSONA,
            [edits.Change("/system_prompt", lines, "Short.")],
            operations=1,
            private_metadata="",
        )


def test_a_secret_is_shown_only_as_changed() -> None:
    hidden = edits.HIDDEN
    changes = [
        edits.Change("/layers/llm/api_key", hidden, hidden, hidden=True),
        edits.Change("/layers/tts/api_key", None, hidden, hidden=True),
        edits.Change("/layers/llm/headers/Authorization", hidden, None, hidden=True),
        edits.Change(
            "/layers/llm/tools",
            [{"name": "a", "auth_token": hidden}],
            [{"name": "a", "auth_token": hidden}],
            hidden=True,
        ),
        edits.Change("/layers/llm/extra_body", [{"token": hidden, "n": 1}], [], hidden=True),
    ]

    text = shown(preview(changes))

    assert "*`/layers/llm/api_key`*\n(hidden) → (hidden, changed)" in text
    assert "*`/layers/tts/api_key`*\n_not set_ → (hidden, new)" in text
    assert "*`/layers/llm/headers/Authorization`*\n(hidden) → _not set_" in text
    assert "*`/layers/llm/tools`*\n(hidden) → (hidden, changed)" in text
    assert "_A hidden value in it changed too._" in text


def test_a_secret_typed_in_a_patch_never_reaches_the_preview() -> None:
    before = edits.redact({**PERSONA, "layers": {"llm": {"model": "m", "api_key": "sk-old-31337"}}})
    after = edits.dry_run(
        before, [{"op": "replace", "path": "/layers/llm/api_key", "value": "sk-new-31337"}]
    )

    view = preview(edits.changes(before, after))

    assert "31337" not in json.dumps(view)
    assert "(hidden) → (hidden, changed)" in shown(view)


@pytest.mark.parametrize("raw", TEXTS, ids=lambda raw: repr(raw)[:20])
def test_hostile_changes_make_a_valid_preview_or_a_refusal(raw: Any) -> None:
    changes = [edits.Change(f"/{raw}", raw, raw), edits.Change("/context", None, raw)]

    try:
        view = modal.preview_view({"persona_name": raw}, changes, operations=2, private_metadata="")
    except modal.PreviewTooLong:
        return
    assert_valid_view(view)
    assert "<!channel>" not in json.dumps(view)
