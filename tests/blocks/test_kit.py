from __future__ import annotations

import random
import re
from typing import Any

import pytest

from bot.blocks import kit
from bot.blocks.text import ELLIPSIS, escape
from tests.fakes.blockkit import assert_valid_message, assert_valid_view, validate_blocks

Block = dict[str, Any]

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one grapheme, 7 code points
HOSTILE = [
    "x" * 100_000,
    "word " * 20_000,
    "line\n" * 20_000,
    "<!channel> " * 9_000,
    "<https://evil|click> " * 5_000,
    "&" * 100_000,
    "&amp;" * 20_000,
    "👍" * 100_000,
    FAMILY * 15_000,
    "e\u0301" * 50_000,
    "\ud800" * 10,
    "a\udfffb" * 30_000,
    "```" + "code line\n" * 10_000,
    ">>> " + "quoted " * 15_000,
    "",
    "   \n\t  ",
    "*_~`|",
    12345,
    None,
    {"nested": ["dict"]},
]


def random_hostile(rng: random.Random) -> str:
    alphabet = ["a", "b", " ", "\n", "&", "<", ">", "`", "```", "*", "|", "👍", "\u200d", "\u0301"]
    alphabet += ["\ud800", "\U0001f3fd", "é", "<!here>", "&amp;", ">>> "]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12_000)))


def hostile_strings() -> list[object]:
    rng = random.Random(20240611)
    return [*HOSTILE, *(random_hostile(rng) for _ in range(25))]


def texts(blocks: list[Block]) -> list[str]:
    return [block["text"]["text"] for block in blocks]


# -- composition objects ---------------------------------------------------------------------


def test_plain_text_caps_and_is_never_empty() -> None:
    assert kit.plain_text("x" * 200, 75)["text"] == "x" * 74 + ELLIPSIS
    assert kit.plain_text("", 75) == {"type": "plain_text", "text": kit.EMPTY}
    assert kit.plain_text(None)["text"] == kit.EMPTY
    assert kit.plain_text(0)["text"] == "0"
    assert kit.plain_text("a\ud800b")["text"] == "a\ufffdb"


def test_mrkdwn_caps_at_a_safe_place() -> None:
    at_entity = kit.mrkdwn("a" * 2996 + "&amp;<@U123>tail")["text"]
    at_mention = kit.mrkdwn("a" * 2990 + "<@U12345678>" + "b" * 20)["text"]
    at_space = kit.mrkdwn("a" * 2990 + " &amp; <@U123> tail")["text"]

    assert at_entity == "a" * 2996 + ELLIPSIS
    assert at_mention == "a" * 2990 + ELLIPSIS
    assert at_space == "a" * 2990 + " &amp;" + ELLIPSIS
    assert kit.mrkdwn("   ") == {"type": "mrkdwn", "text": kit.EMPTY}


def test_confirm_dialog_caps_every_part() -> None:
    dialog = kit.confirm_dialog("t" * 200, "x" * 400, "y" * 40, "n" * 40, style="danger")

    assert [len(dialog[key]["text"]) for key in ("title", "text", "confirm", "deny")] == [
        100,
        300,
        30,
        30,
    ]
    assert dialog["style"] == "danger"


def test_option_caps_the_label_and_refuses_a_long_value() -> None:
    assert kit.option("l" * 100, "v" * 150)["text"]["text"] == "l" * 74 + ELLIPSIS
    with pytest.raises(ValueError, match="option value is 151 characters"):
        kit.option("label", "v" * 151)


# -- sections --------------------------------------------------------------------------------


def test_short_text_is_one_section() -> None:
    assert kit.sections("hello") == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
    ]
    assert texts(kit.sections("")) == [kit.EMPTY]


def test_long_text_splits_at_newlines_and_loses_nothing() -> None:
    lines = [f"line {i:05d} of the transcript" for i in range(1000)]

    chunks = texts(kit.sections("\n".join(lines)))

    assert len(chunks) > 1
    assert all(len(chunk) <= kit.SECTION_TEXT_MAX for chunk in chunks)
    assert [line for chunk in chunks for line in chunk.split("\n")] == lines


def test_text_without_newlines_splits_at_spaces() -> None:
    words = [f"w{i:04d}" for i in range(2000)]

    chunks = texts(kit.sections(" ".join(words)))

    assert [word for chunk in chunks for word in chunk.split(" ")] == words


def test_never_cuts_inside_an_entity() -> None:
    text = "a" * 2998 + "&amp;" + "b" * 10

    first, second = texts(kit.sections(text))

    assert first == "a" * 2998
    assert second == "&amp;" + "b" * 10


def test_never_cuts_inside_a_link_or_mention() -> None:
    token = "<https://example.test/a/long/path|the label>"
    text = "a" * 2980 + token + "b" * 100

    first, second = texts(kit.sections(text))

    assert first == "a" * 2980
    assert second.startswith(token)


def test_never_splits_an_emoji_sequence() -> None:
    chunks = texts(kit.sections(FAMILY * 1000))

    assert all(chunk.startswith("\U0001f469") and chunk.endswith("\U0001f466") for chunk in chunks)
    assert "".join(chunks) == FAMILY * 1000


def test_a_split_blockquote_is_reopened() -> None:
    chunks = texts(kit.sections("*Transcript*\n>>> " + "said something\n" * 500))

    assert len(chunks) >= 2
    assert all(chunk.startswith(">>> ") for chunk in chunks[1:])


def test_a_split_code_block_is_closed_and_reopened() -> None:
    chunks = texts(kit.sections("Log:\n```\n" + "x = 1\n" * 1000 + "```\nafter"))

    assert len(chunks) >= 2
    assert all(chunk.count("```") % 2 == 0 for chunk in chunks)
    assert all(chunk.startswith("```\n") for chunk in chunks[1:])
    assert chunks[-1].endswith("```\nafter")


def test_split_mrkdwn_needs_room_to_work() -> None:
    with pytest.raises(ValueError, match="under 16"):
        kit.split_mrkdwn("text", 10)


# -- blocks ----------------------------------------------------------------------------------


def test_section_is_one_capped_block_with_accessory_and_id() -> None:
    accessory = kit.button("Open", action_id="open")

    block = kit.section("x" * 5000, accessory=accessory, block_id="card")

    assert len(block["text"]["text"]) == kit.SECTION_TEXT_MAX
    assert block["accessory"] == accessory
    assert block["block_id"] == "card"
    with pytest.raises(ValueError, match="block_id is 256 characters"):
        kit.section("x", block_id="b" * 256)


def test_fields_section_caps_count_and_length() -> None:
    block = kit.fields_section(*[f"field {i}" for i in range(12)], "x" * 5000)

    assert len(block["fields"]) == kit.SECTION_FIELDS_MAX
    assert block["fields"][-1]["text"] == "_…and 4 more_"
    assert validate_blocks([kit.fields_section("y" * 5000)]) == []


def test_header_is_plain_text_capped_at_150() -> None:
    block = kit.header("*not bold* " * 30)

    assert block["text"]["type"] == "plain_text"
    assert len(block["text"]["text"]) <= kit.HEADER_TEXT_MAX


def test_context_keeps_ten_elements() -> None:
    block = kit.context(*[f"c{i}" for i in range(12)])

    assert len(block["elements"]) == kit.CONTEXT_ELEMENTS_MAX
    assert block["elements"][-1]["text"] == "c9   c10   c11"
    assert kit.context("", " ")["elements"] == [{"type": "mrkdwn", "text": kit.EMPTY}]


def test_button_caps_text_and_refuses_long_ids_and_values() -> None:
    block = kit.button("b" * 100, action_id="go", value="v" * 2000, url="https://x.test")

    assert len(block["text"]["text"]) == kit.BUTTON_TEXT_MAX
    refused: list[dict[str, Any]] = [
        {"action_id": "a" * 256},
        {"action_id": "go", "value": "v" * 2001},
        {"action_id": "go", "url": "u" * 3001},
        {"action_id": "go", "style": "green"},
        {"action_id": ""},
        {"action_id": "a\ud800"},
    ]
    for kwargs in refused:
        with pytest.raises(ValueError):
            kit.button("text", **kwargs)


def test_actions_holds_one_to_25_elements() -> None:
    buttons = [kit.button(str(i), action_id=f"b{i}") for i in range(26)]

    assert len(kit.actions(*buttons[:25])["elements"]) == 25
    for count in (0, 26):
        with pytest.raises(ValueError, match="1 to 25"):
            kit.actions(*buttons[:count])


def test_static_select_keeps_the_first_100_options() -> None:
    options = [kit.option(f"Persona {i}", f"p{i}") for i in range(150)]

    select = kit.static_select(
        action_id="persona", placeholder="Pick", options=options, initial_option=options[120]
    )

    assert select["options"] == options[:100]
    assert "initial_option" not in select
    kept = kit.static_select(
        action_id="persona", placeholder="Pick", options=options, initial_option=options[5]
    )
    assert kept["initial_option"] == options[5]


def test_static_select_groups_are_capped_too() -> None:
    group = kit.option_group("g" * 100, [kit.option(str(i), str(i)) for i in range(150)])

    select = kit.static_select(action_id="s", placeholder="p", option_groups=[group] * 120)

    assert len(select["option_groups"]) == kit.OPTION_GROUPS_MAX
    assert len(group["options"]) == kit.OPTIONS_MAX
    assert validate_blocks([kit.actions(select)]) == []
    with pytest.raises(ValueError, match="options or option_groups"):
        kit.static_select(action_id="s", placeholder="p")


def test_external_select() -> None:
    select = kit.external_select(action_id="persona", placeholder="Search", min_query_length=0)

    assert select == {
        "type": "external_select",
        "action_id": "persona",
        "placeholder": {"type": "plain_text", "text": "Search"},
        "min_query_length": 0,
    }


def test_multi_external_select_caps_what_it_preselects() -> None:
    chosen = [kit.option(f"Doc {i}", f"d{i}") for i in range(130)]

    select = kit.multi_external_select(
        action_id="docs",
        placeholder="p" * 500,
        min_query_length=-2,
        initial_options=chosen,
        max_selected_items=0,
    )

    assert select["type"] == "multi_external_select"
    assert select["initial_options"] == chosen[: kit.OPTIONS_MAX]
    assert select["min_query_length"] == 0
    assert select["max_selected_items"] == 1
    assert len(select["placeholder"]["text"]) == kit.PLACEHOLDER_MAX
    assert_valid_view(
        kit.modal(title="t", blocks=[kit.input_block("docs", "Docs", select)], submit="Go")
    )
    bare = kit.multi_external_select(action_id="docs", placeholder="Search")
    assert "initial_options" not in bare and "max_selected_items" not in bare


def test_plain_text_input_holds_lengths_to_slacks_range() -> None:
    element = kit.plain_text_input(
        action_id="note", initial_value="n" * 5000, max_length=9000, min_length=-3
    )

    assert element["max_length"] == kit.TEXT_INPUT_MAX
    assert element["min_length"] == 0
    assert len(element["initial_value"]) == kit.TEXT_INPUT_MAX
    short = kit.plain_text_input(action_id="note", initial_value="word " * 10, max_length=12)
    assert len(short["initial_value"]) <= 12


def test_input_block_caps_label_and_hint() -> None:
    block = kit.input_block(
        "note", "l" * 3000, kit.plain_text_input(action_id="n"), optional=True, hint="h" * 3000
    )

    assert len(block["label"]["text"]) == kit.INPUT_LABEL_MAX
    assert len(block["hint"]["text"]) == kit.INPUT_HINT_MAX
    assert block["optional"] is True


# -- surfaces --------------------------------------------------------------------------------


def test_message_over_50_blocks_ends_with_a_note() -> None:
    blocks = [kit.section(f"part {i}") for i in range(80)]

    text, kept = kit.message("fallback", blocks)

    assert text == "fallback"
    assert len(kept) == kit.MESSAGE_BLOCKS_MAX
    assert kept[:49] == blocks[:49]
    assert kept[-1]["text"]["text"] == "_…31 more parts left out: too long for Slack._"


def test_message_keeps_its_text_within_the_block_budget() -> None:
    _, kept = kit.message("t", kit.sections("word " * 20_000))

    assert_valid_message("t", kept)
    assert re.fullmatch(r"_…\d+ more parts left out: too long for Slack\._", texts(kept)[-1])


def test_message_caps_the_fallback_in_bytes() -> None:
    text, _ = kit.message("ж" * 3000, [])

    assert len(text.encode()) <= kit.FALLBACK_TEXT_MAX_BYTES
    assert text.endswith(ELLIPSIS)
    assert kit.message(None, []) == (kit.EMPTY, [])


def test_message_refuses_repeated_block_ids() -> None:
    with pytest.raises(ValueError, match="'card' is used twice"):
        kit.message("t", [kit.section("a", block_id="card"), kit.section("b", block_id="card")])


def test_modal_caps_labels_and_refuses_long_ids() -> None:
    view = kit.modal(title="A very long modal title indeed", blocks=[kit.section("hi")])

    assert len(view["title"]["text"]) <= kit.MODAL_TITLE_MAX
    for kwargs in (
        {"callback_id": "c" * 256},
        {"external_id": "e" * 256},
        {"private_metadata": "m" * 3001},
    ):
        with pytest.raises(ValueError):
            kit.modal(title="t", blocks=[], **kwargs)
    assert kit.modal(title="t", blocks=[], private_metadata="")["private_metadata"] == ""


def test_modal_with_inputs_needs_submit() -> None:
    field = kit.input_block("note", "Note", kit.plain_text_input(action_id="n"))

    with pytest.raises(ValueError, match="submit"):
        kit.modal(title="Start", blocks=[field])
    assert_valid_view(kit.modal(title="Start", blocks=[field], submit="Start"))


def test_views_keep_100_blocks() -> None:
    blocks = [kit.section(f"row {i}") for i in range(150)]

    assert len(kit.modal(title="t", blocks=blocks)["blocks"]) == kit.VIEW_BLOCKS_MAX
    assert len(kit.home(blocks)["blocks"]) == kit.VIEW_BLOCKS_MAX
    assert_valid_view(kit.home(blocks))


# -- hostile input always yields what Slack accepts ------------------------------------------


@pytest.mark.parametrize("raw", hostile_strings(), ids=lambda raw: repr(raw)[:20])
def test_hostile_text_in_a_message_is_always_valid(raw: object) -> None:
    safe = escape(raw)
    blocks = [
        kit.header(raw),
        *kit.sections(safe),
        kit.section(safe, accessory=kit.button(raw, action_id="open", value="v")),
        kit.fields_section(safe, safe, safe),
        kit.context(safe, safe),
        kit.actions(
            kit.button(raw, action_id="end", confirm=kit.confirm_dialog(raw, raw, raw, raw)),
            kit.static_select(action_id="pick", placeholder=raw, options=[kit.option(raw, "1")]),
        ),
        kit.divider(),
    ]

    text, kept = kit.message(safe, blocks)

    assert_valid_message(text, kept)


@pytest.mark.parametrize("raw", hostile_strings(), ids=lambda raw: repr(raw)[:20])
def test_hostile_text_in_a_modal_is_always_valid(raw: object) -> None:
    field = kit.plain_text_input(
        action_id="note", placeholder=raw, initial_value=raw, multiline=True
    )
    blocks = [
        kit.input_block("note", raw, field, hint=raw),
        kit.input_block("persona", raw, kit.external_select(action_id="persona", placeholder=raw)),
        *kit.sections(escape(raw)),
    ]

    view = kit.modal(title=raw, blocks=blocks, submit=raw or "Go", close=raw, callback_id="start")

    assert_valid_view(view)
    assert_valid_view(kit.home(kit.sections(escape(raw))))


@pytest.mark.parametrize("raw", hostile_strings(), ids=lambda raw: repr(raw)[:20])
def test_splitting_keeps_every_visible_character(raw: object) -> None:
    safe = escape(raw)

    chunks = kit.split_mrkdwn(safe, kit.SECTION_TEXT_MAX)

    assert all(len(chunk) <= kit.SECTION_TEXT_MAX for chunk in chunks)
    joined = re.sub(r"\s|`|>>>", "", "".join(chunks))
    assert joined == re.sub(r"\s|`|>>>", "", safe)
