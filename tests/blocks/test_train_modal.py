from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks import train_modal as modal
from bot.domain.replicas import CONSENT_STATEMENT
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_view


def blocks_by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if "block_id" in block}


def test_the_modal_is_valid_and_has_every_field() -> None:
    view = modal.train_modal(channel_id="C0123")

    assert_valid_view(view)
    assert view["callback_id"] == modal.CALLBACK_ID
    assert set(blocks_by_id(view)) == {
        modal.B_VIDEO,
        modal.B_IMAGE,
        modal.B_VOICE,
        modal.B_CONSENT,
        modal.B_NAME,
        modal.B_MODEL,
        modal.B_OPTIONS,
        modal.B_CHANNEL,
    }


def test_the_model_picker_offers_the_spec_models_with_the_default_chosen() -> None:
    element = blocks_by_id(modal.train_modal(channel_id=None))[modal.B_MODEL]["element"]

    assert [o["value"] for o in element["options"]] == ["phoenix-4", "phoenix-3"]
    assert element["initial_option"]["value"] == "phoenix-4"


def test_the_voice_picker_asks_the_app_for_its_options() -> None:
    element = blocks_by_id(modal.train_modal(channel_id=None))[modal.B_VOICE]["element"]

    assert element["type"] == "external_select"
    assert element["action_id"] == modal.VOICE_ACTION


def test_the_consent_statement_and_tips_are_in_a_context_block() -> None:
    view = modal.train_modal(channel_id=None)
    (context,) = [block for block in view["blocks"] if block["type"] == "context"]
    text = json.dumps(context, ensure_ascii=False)

    assert CONSENT_STATEMENT in text
    assert "750 MB" in text and "H.264" in text and "/tavus voices" in text


@pytest.mark.parametrize(
    ("channel_id", "preselected"),
    [("C0123", "C0123"), ("G0123", "G0123"), ("D0123", None), (None, None), ("<!here>", None)],
)
def test_the_channel_is_preselected_only_for_a_channel(
    channel_id: str | None, preselected: str | None
) -> None:
    view = modal.train_modal(channel_id=channel_id)
    block = blocks_by_id(view)[modal.B_CHANNEL]

    assert block["optional"] is True  # empty: the card goes to a DM
    assert block["element"].get("initial_conversation") == preselected
    assert_valid_view(view)


def filled(**overrides: Any) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        modal.B_VIDEO: {modal.B_VIDEO: {"type": "plain_text_input", "value": " https://x/v.mp4 "}},
        modal.B_IMAGE: {modal.B_IMAGE: {"type": "plain_text_input", "value": None}},
        modal.B_VOICE: {modal.VOICE_ACTION: {"type": "external_select", "selected_option": None}},
        modal.B_CONSENT: {modal.B_CONSENT: {"type": "plain_text_input", "value": ""}},
        modal.B_NAME: {modal.B_NAME: {"type": "plain_text_input", "value": "Rio"}},
        modal.B_MODEL: {
            modal.B_MODEL: {"type": "static_select", "selected_option": {"value": "phoenix-3"}}
        },
        modal.B_OPTIONS: {
            modal.B_OPTIONS: {
                "type": "checkboxes",
                "selected_options": [{"value": modal.GREEN_SCREEN}],
            }
        },
        modal.B_CHANNEL: {
            modal.B_CHANNEL: {"type": "conversations_select", "selected_conversation": "C0999"}
        },
    }
    values.update(overrides)
    return values


def test_reading_the_form_back() -> None:
    form = modal.read_train_form(filled())

    assert form == modal.TrainForm(
        train_video_url="https://x/v.mp4",
        train_image_url=None,
        voice_name=None,
        consent_video_url=None,
        replica_name="Rio",
        model_name="phoenix-3",
        auto_fix_image=False,
        green_screen=True,
        channel_id="C0999",
    )


def test_reading_a_form_with_nothing_in_it() -> None:
    form = modal.read_train_form({})

    assert form.train_video_url is None and form.model_name is None
    assert form.channel_id is None
    assert not form.auto_fix_image and not form.green_screen


@pytest.mark.parametrize(
    "odd",
    [None, 42, "text", [], {"value": 42}, {"selected_option": "x"}, {"selected_options": [1]}],
)
def test_reading_odd_values_never_fails(odd: Any) -> None:
    values = {block: {"action": odd} for block in blocks_by_id(modal.train_modal(channel_id=None))}

    form = modal.read_train_form(values)

    assert form.voice_name is None or isinstance(form.voice_name, str)
    assert form.channel_id is None or isinstance(form.channel_id, str)


def test_the_views_after_submitting_are_valid() -> None:
    assert_valid_view(modal.training_view())
    in_channel = modal.started_view(channel_id="C0123", moved=False)
    in_dm = modal.started_view(channel_id="D0123", moved=False)
    moved = modal.started_view(channel_id="D0123", moved=True)

    assert "<#C0123>" in json.dumps(in_channel)
    assert "a direct message" in json.dumps(in_dm)
    assert "/invite" in json.dumps(moved)
    for view in (in_channel, in_dm, moved):
        assert_valid_view(view)


@pytest.mark.parametrize("value", [v for v in TEXTS if isinstance(v, str)])
def test_the_started_view_shows_no_channel_it_cannot_mention(value: str) -> None:
    view = modal.started_view(channel_id=value, moved=False)

    assert_valid_view(view)
    assert "a direct message" in json.dumps(view)
