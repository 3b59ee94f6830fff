from __future__ import annotations

from typing import Any

import pytest

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
    CONTEXT_LIMIT,
    MAX_DURATION_LIMIT,
    PERSONA_ACTION,
    REPLICA_ACTION,
    failed_view,
    message_view,
    option,
    read_start_form,
    start_modal,
    started_view,
    starting_view,
)
from tests.blocks.hostile import AMPERSAND_URL, HUGE_URL, LONG, TEXTS, URLS
from tests.fakes.blockkit import assert_valid_view


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

    assert_valid_view(view)
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


# -- hostile input ---------------------------------------------------------------------------


def by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"]}


def view_text(view: dict[str, Any]) -> str:
    return "\n".join(block["text"]["text"] for block in view["blocks"])


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_modal_is_valid_whatever_it_is_opened_with(value: Any) -> None:
    view = modal(channel_id=value, persona_id=value, replica_id=value, context=value)

    assert_valid_view(view)
    assert view["callback_id"] == CALLBACK_ID


@pytest.mark.parametrize("length", [75, 76, 150])
def test_an_id_an_option_can_carry_stays_preselected(length: int) -> None:
    tavus_id = "p" * length

    view = modal(persona_id=tavus_id, replica_id=tavus_id)

    assert_valid_view(view)
    for block_id in (B_PERSONA, B_REPLICA):
        initial = by_id(view)[block_id]["element"]["initial_option"]
        assert initial["value"] == tavus_id
        assert len(initial["text"]["text"]) <= 75


@pytest.mark.parametrize("tavus_id", ["p" * 151, "p\ud800", "", 12345, {"id": "p1"}])
def test_an_id_an_option_cannot_carry_is_not_preselected(tavus_id: Any) -> None:
    view = modal(persona_id=tavus_id, replica_id=tavus_id)

    assert_valid_view(view)
    assert "initial_option" not in by_id(view)[B_PERSONA]["element"]
    assert "initial_option" not in by_id(view)[B_REPLICA]["element"]


def test_context_field_holds_3000_characters_and_a_longer_context_is_cut() -> None:
    view = modal(context="Be brief. " + LONG)

    assert_valid_view(view)
    element = by_id(view)[B_CONTEXT]["element"]
    assert element["max_length"] == CONTEXT_LIMIT == 3000
    assert element["initial_value"].startswith("Be brief. xxx")
    assert len(element["initial_value"]) <= CONTEXT_LIMIT


def test_context_is_plain_text_so_it_is_not_escaped() -> None:
    view = modal(context="<!channel> & <https://evil|click>")

    element = by_id(view)[B_CONTEXT]["element"]
    assert element["initial_value"] == "<!channel> & <https://evil|click>"


@pytest.mark.parametrize("seconds", [0, -5, 10**12])
def test_defaults_outside_the_allowed_range_are_held_to_it(seconds: int) -> None:
    view = modal(max_call_duration=seconds, participant_left_timeout=seconds)

    assert_valid_view(view)
    initial = int(by_id(view)[B_DURATION]["element"]["initial_value"])
    assert 1 <= initial <= MAX_DURATION_LIMIT


@pytest.mark.parametrize("value", TEXTS, ids=range(len(TEXTS)))
def test_message_view_is_valid_whatever_its_title_and_text(value: Any) -> None:
    assert_valid_view(message_view(value, value))


def test_message_view_with_an_empty_title_still_has_one() -> None:
    view = message_view("", "Done.")

    assert view["title"]["text"].strip()
    assert view["close"]["text"] == "Close"


@pytest.mark.parametrize("reason", TEXTS, ids=range(len(TEXTS)))
def test_failed_view_is_valid_whatever_the_reason(reason: Any) -> None:
    assert_valid_view(failed_view(reason))


def test_failed_view_shows_the_start_of_a_long_reason_escaped() -> None:
    view = failed_view("<!channel> & <https://evil|click> " + LONG)
    shown = view_text(view)

    assert_valid_view(view)
    assert shown.startswith(":warning: &lt;!channel&gt; &amp; &lt;https://evil|click&gt; xxx")
    assert "<!channel>" not in shown


@pytest.mark.parametrize("url", URLS, ids=range(len(URLS)))
@pytest.mark.parametrize("channel_id", ["C0123", "<!channel>", LONG, None])
def test_started_view_is_valid_whatever_the_url_and_channel(url: Any, channel_id: Any) -> None:
    view = started_view(channel_id=channel_id, conversation_url=url, in_channel=True)

    assert_valid_view(view)
    assert "Started." in view_text(view)


@pytest.mark.parametrize("url", [HUGE_URL, AMPERSAND_URL, "javascript:alert(1)", "", None])
def test_started_view_leaves_out_a_link_slack_cannot_take(url: Any) -> None:
    view = started_view(channel_id="C0123", conversation_url=url, in_channel=True)

    assert view_text(view) == ":white_check_mark: Started. The join link is posted in <#C0123>."


def test_started_view_does_not_mention_a_strange_channel() -> None:
    view = started_view(
        channel_id="<!channel>", conversation_url="https://x.test/c", in_channel=True
    )

    assert "<!channel>" not in view_text(view)
    assert "the channel you chose" in view_text(view)


def test_starting_view_is_valid() -> None:
    assert_valid_view(starting_view())


@pytest.mark.parametrize("label", ["", "   ", None, LONG, "\ud800", 3])
def test_option_caps_its_label_and_never_leaves_it_empty(label: Any) -> None:
    made = option(label, "p1")

    assert 1 <= len(made["text"]["text"]) <= 75
    assert made["value"] == "p1"
    assert_valid_view(start_view_with(made))


@pytest.mark.parametrize("value", ["p" * 151, "", "p\ud800", None, 7])
def test_option_refuses_a_value_it_cannot_carry_whole(value: Any) -> None:
    with pytest.raises(ValueError):
        option("Label", value)


def start_view_with(made: dict[str, Any]) -> dict[str, Any]:
    """A view holding the option, so the fake checks it as Slack would."""
    view = modal(persona_id="p1")
    select = by_id(view)[B_LANGUAGE]["element"]
    select["options"] = [made]
    select["initial_option"] = made
    return view


def test_the_channel_picker_says_where_the_card_goes_if_i_am_not_invited() -> None:
    view = start_modal(channel_id="C1", max_call_duration=600, participant_left_timeout=60)
    (picker,) = [b for b in view["blocks"] if b.get("block_id") == B_CHANNEL]
    assert "direct message" in picker["hint"]["text"]
