from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks import lipsync_modal, video_modal
from bot.blocks.video_modal import Destination, read_video_form, started_view
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_view


def block_ids(view: dict[str, Any]) -> list[str]:
    return [block.get("block_id", "") for block in view["blocks"]]


def test_the_modal_from_a_channel_preselects_it() -> None:
    view = video_modal.video_modal(channel_id="C123", replica_id="r79e1c033f", script="Hi")

    assert_valid_view(view)
    (picker,) = [b for b in view["blocks"] if b.get("block_id") == video_modal.B_CHANNEL]
    assert picker["element"]["initial_conversation"] == "C123"
    assert picker["optional"] is True
    (replica,) = [b for b in view["blocks"] if b.get("block_id") == video_modal.B_REPLICA]
    assert replica["element"]["initial_option"]["value"] == "r79e1c033f"
    assert Destination.from_metadata(view["private_metadata"]) == Destination()


def test_the_modal_from_a_dm_keeps_the_dm_for_an_empty_picker() -> None:
    view = video_modal.video_modal(channel_id="D123")

    (picker,) = [b for b in view["blocks"] if b.get("block_id") == video_modal.B_CHANNEL]
    assert "initial_conversation" not in picker["element"]
    assert Destination.from_metadata(view["private_metadata"]) == Destination("D123")


def test_the_modal_for_a_message_has_no_picker_and_remembers_the_thread() -> None:
    view = video_modal.video_modal(channel_id="C123", thread_ts="1700000000.000100")

    assert video_modal.B_CHANNEL not in block_ids(view)
    assert "thread" in json.dumps(view["blocks"])
    where = Destination.from_metadata(view["private_metadata"])
    assert where == Destination("C123", "1700000000.000100")


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_initial_values_still_make_a_valid_view(value: object) -> None:
    view = video_modal.video_modal(
        channel_id=value if isinstance(value, str) and len(value) < 200 else None,
        replica_id=value if isinstance(value, str) else None,
        script=value,  # type: ignore[arg-type]
    )
    assert_valid_view(view)
    assert_valid_view(lipsync_modal.lipsync_modal(video_url=value, name=value))  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", "not json", "[1]", '{"channel": 5}', None, '"x"'])
def test_odd_metadata_is_no_destination(raw: object) -> None:
    assert Destination.from_metadata(raw) == Destination()


def test_the_form_reads_back_what_was_filled_in() -> None:
    values = {
        video_modal.B_REPLICA: {"a": {"selected_option": {"value": "r79e1c033f"}}},
        video_modal.B_SCRIPT: {"a": {"value": "  Hello  "}},
        video_modal.B_AUDIO: {"a": {"value": "   "}},
        video_modal.B_OPTIONS: {"a": {"selected_options": [{"value": "fast"}]}},
        video_modal.B_CHANNEL: {"a": {"selected_conversation": "C9"}},
    }
    form = read_video_form(values, '{"channel": "D1"}')

    assert (form.replica_id, form.script, form.audio_url) == ("r79e1c033f", "Hello", None)
    assert (form.fast, form.transparent_background) == (True, False)
    assert (form.channel_id, form.destination) == ("C9", Destination("D1"))


def test_an_empty_form_reads_as_empty() -> None:
    form = read_video_form({}, "")

    assert form.replica_id is None and form.script is None and not form.fast


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"channel_id": "C123", "in_thread": False, "moved": False}, "<#C123>"),
        ({"channel_id": "C1", "in_thread": True, "moved": False}, "the thread of the message"),
        ({"channel_id": "C1", "in_thread": False, "moved": True}, "a direct message (I am not"),
        ({"channel_id": "U1", "in_thread": False, "moved": False}, "a direct message"),
    ],
)
def test_the_started_view_says_where_the_card_went(kwargs: dict[str, Any], where: str) -> None:
    view = started_view(what="video", **kwargs)

    assert where in json.dumps(view["blocks"])
    assert_valid_view(view)
