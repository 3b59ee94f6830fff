from __future__ import annotations

from typing import Any

from bot.blocks.start_modal import (
    B_CHANNEL,
    B_CONTEXT,
    B_DURATION,
    B_GREETING,
    B_LANGUAGE,
    B_LEFT_TIMEOUT,
    B_NAME,
    B_OPTIONS,
    B_PERSONA,
    B_REPLICA,
    B_STRATEGY,
    B_TAGS,
    CALLBACK_ID,
    PERSONA_ACTION,
    REPLICA_ACTION,
    failed_view,
    read_start_form,
    start_modal,
    started_view,
)


def modal(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "channel_id": "C0123",
        "max_call_duration": 600,
        "participant_left_timeout": 60,
    }
    options.update(overrides)
    return start_modal(**options)


def selected(value: str, kind: str = "static_select") -> dict[str, Any]:
    return {"type": kind, "selected_option": {"text": {"type": "plain_text"}, "value": value}}


def typed(value: str | None, kind: str = "plain_text_input") -> dict[str, Any]:
    return {"type": kind, "value": value}


def submitted_values() -> dict[str, dict[str, Any]]:
    """What Slack sends in view.state.values after a user fills in the form."""
    return {
        B_PERSONA: {PERSONA_ACTION: selected("p1234abcd", "external_select")},
        B_REPLICA: {REPLICA_ACTION: {"type": "external_select", "selected_option": None}},
        B_CHANNEL: {B_CHANNEL: {"type": "conversations_select", "selected_conversation": "C0999"}},
        B_NAME: {B_NAME: typed("  Weekly sync  ")},
        B_CONTEXT: {B_CONTEXT: typed("Talk\nabout pricing")},
        B_GREETING: {B_GREETING: typed("   ")},
        B_OPTIONS: {
            B_OPTIONS: {
                "type": "checkboxes",
                "selected_options": [{"text": {"type": "plain_text"}, "value": "audio_only"}],
            }
        },
        B_DURATION: {B_DURATION: typed("900", "number_input")},
        B_LEFT_TIMEOUT: {B_LEFT_TIMEOUT: typed(None, "number_input")},
        B_LANGUAGE: {B_LANGUAGE: selected("french")},
        B_TAGS: {B_TAGS: typed("#onboarding, pricing  ,, #")},
        B_STRATEGY: {B_STRATEGY: selected("speed")},
    }


def test_read_start_form() -> None:
    form = read_start_form(submitted_values())

    assert form.persona_id == "p1234abcd"
    assert form.replica_id is None
    assert form.channel_id == "C0999"
    assert form.name == "Weekly sync"
    assert form.context == "Talk\nabout pricing"
    assert form.greeting is None
    assert form.audio_only is True
    assert form.test_mode is False
    assert form.max_call_duration == "900"
    assert form.participant_left_timeout is None
    assert form.language == "french"
    assert form.document_tags == ("onboarding", "pricing")
    assert form.retrieval_strategy == "speed"


def test_read_start_form_of_an_empty_state() -> None:
    form = read_start_form({})

    assert form.persona_id is None
    assert form.channel_id is None
    assert form.audio_only is False
    assert form.document_tags == ()


def test_every_input_block_id_is_unique_and_readable() -> None:
    view = modal()

    block_ids = [block["block_id"] for block in view["blocks"]]
    assert len(block_ids) == len(set(block_ids))
    assert set(block_ids) == set(submitted_values())


def test_modal_carries_callback_id_channel_and_initial_values() -> None:
    view = modal(persona_id="p1234abcd", context="Be brief")

    assert view["callback_id"] == CALLBACK_ID
    by_id = {block["block_id"]: block for block in view["blocks"]}
    assert by_id[B_PERSONA]["element"]["initial_option"]["value"] == "p1234abcd"
    assert by_id[B_CONTEXT]["element"]["initial_value"] == "Be brief"
    assert by_id[B_CHANNEL]["element"]["initial_conversation"] == "C0123"
    assert by_id[B_DURATION]["element"]["initial_value"] == "600"


def test_modal_does_not_preselect_a_dm_channel() -> None:
    view = modal(channel_id="D0123")

    channel = next(b for b in view["blocks"] if b["block_id"] == B_CHANNEL)
    assert "initial_conversation" not in channel["element"]


def test_started_view_links_and_failed_view_escapes() -> None:
    started = started_view(channel_id="C0123", conversation_url="https://x.test/c", in_channel=True)
    failed = failed_view("<!channel> broke")

    assert "<#C0123>" in started["blocks"][0]["text"]["text"]
    assert "<https://x.test/c|Join now>" in started["blocks"][0]["text"]["text"]
    assert "<!channel>" not in failed["blocks"][0]["text"]["text"]
