from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks import objective_modal as modal
from bot.blocks import set_modal
from bot.blocks.objective_modal import ObjectiveFields, block_id
from bot.blocks.set_modal import Setup
from bot.domain import objectives as domain
from bot.objectives import ObjectiveDraft, many
from bot.tavus import Objective
from tests.blocks.form_values import submitted
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_view

FIELDS = ObjectiveFields(
    name="collect_email",
    prompt="Ask for their email",
    confirmation_mode="manual",
    modality="visual",
    output_variables="email, first_name",
    next_objectives="schedule",
    branches="wrap_up: they are busy",
)


def inputs(view: dict[str, Any]) -> list[str]:
    return [block["block_id"] for block in view["blocks"] if block["type"] == "input"]


def test_a_new_form_has_one_objective_and_an_add_button() -> None:
    view = modal.objectives_modal(Setup(channel_id="C0123"))

    assert_valid_view(view)
    assert view["callback_id"] == modal.CALLBACK_ID
    assert view["submit"]["text"] == "Create"
    assert inputs(view) == [
        block_id(0, field)
        for field in (
            modal.NAME,
            modal.PROMPT,
            modal.MODE,
            modal.VARIABLES,
            modal.MODALITY,
            modal.NEXT,
            modal.BRANCHES,
        )
    ]
    (add,) = [b for b in view["blocks"] if b["type"] == "actions"]
    assert add["elements"][0]["action_id"] == modal.ADD_ACTION


def test_the_menus_default_to_what_tavus_defaults_to() -> None:
    view = modal.objectives_modal(Setup(channel_id=None))
    by_id = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}

    mode = by_id[block_id(0, modal.MODE)]["element"]
    modality = by_id[block_id(0, modal.MODALITY)]["element"]
    assert [o["value"] for o in mode["options"]] == ["auto", "manual"]
    assert mode["initial_option"]["value"] == "auto"
    assert [o["value"] for o in modality["options"]] == ["verbal", "visual"]
    assert modality["initial_option"]["value"] == "verbal"


def test_the_fullest_form_fits_slack_and_has_no_add_button() -> None:
    setup = Setup(channel_id="C0123", count=domain.MAX_OBJECTIVES)
    view = modal.objectives_modal(setup, [FIELDS] * domain.MAX_OBJECTIVES)

    assert_valid_view(view)
    assert not [b for b in view["blocks"] if b["type"] == "actions"]
    assert len(inputs(view)) == 7 * domain.MAX_OBJECTIVES


def test_an_edit_form_saves_and_may_not_grow_when_tavus_showed_one_objective() -> None:
    view = modal.objectives_modal(Setup(channel_id=None, editing="o12345", growable=False))

    assert view["title"]["text"] == "Edit objectives"
    assert view["submit"]["text"] == "Save"
    assert "o12345" in json.dumps(view["blocks"][0])
    assert not [b for b in view["blocks"] if b["type"] == "actions"]


def test_what_is_shown_reads_back_the_same() -> None:
    setup = Setup(channel_id=None, count=2)
    view = modal.objectives_modal(setup, [FIELDS])

    read = modal.read_objectives(submitted(view), 2)

    assert read[0] == FIELDS
    assert read[1].blank
    assert read[1].confirmation_mode == "auto"


def shown_for(**raw: Any) -> ObjectiveFields:
    objective = Objective.from_api({"objective_name": "collect_email", **raw})
    return ObjectiveFields.of(ObjectiveDraft.of(objective), many=many(objective))


def by_block(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if "block_id" in b}


def edit_form(*fields: ObjectiveFields) -> dict[str, Any]:
    return modal.objectives_modal(Setup(None, count=len(fields), editing="o12345"), fields)


def test_an_objective_tavus_has_is_shown_for_editing() -> None:
    fields = shown_for(
        objective_prompt="Ask",
        output_variables=["email", "name"],
        next_required_objectives=["schedule", "demo"],
        next_conditional_objectives={"wrap_up": "busy", "demo": "wants one"},
    )

    assert fields.output_variables == "email, name"
    assert fields.next_objectives == "schedule, demo" and fields.next_many
    assert fields.branches == "wrap_up: busy\ndemo: wants one"
    assert not fields.left_out


def test_every_value_shown_reads_back_the_same() -> None:
    fields = shown_for(
        objective_prompt="  Ask\nfor the email  ",
        confirmation_mode="manual",
        modality="visual",
        output_variables=["email", "name"],
        next_required_objectives=["schedule", "demo"],
        next_conditional_objectives={"wrap_up": "busy: very", "demo": "wants one"},
    )
    view = edit_form(fields)

    (read,) = modal.read_objectives(submitted(view), 1)

    assert read == fields
    assert modal.parse_branches(read.branches) == (("wrap_up", "busy: very"), ("demo", "wants one"))


@pytest.mark.parametrize(
    ("raw", "field", "why"),
    [
        ({"objective_prompt": "Ask." * 1080}, modal.PROMPT, "4,320 characters"),
        ({"output_variables": ["first name", "email"]}, modal.VARIABLES, "cannot show whole"),
        ({"output_variables": ["a,b"]}, modal.VARIABLES, "cannot show whole"),
        ({"next_required_objectives": ["wrap up"]}, modal.NEXT, "cannot show whole"),
        ({"next_conditional_objectives": {"a:b": "c"}}, modal.BRANCHES, "cannot show whole"),
        ({"next_conditional_objectives": {"a": "two\nlines"}}, modal.BRANCHES, "cannot show"),
        ({"objective_prompt": "bad \ud800 text"}, modal.PROMPT, "Slack cannot show"),
        ({"confirmation_mode": "x" * 151}, modal.MODE, "too long for a Slack menu"),
    ],
)
def test_a_value_the_form_cannot_show_whole_is_left_out_with_a_note(
    raw: dict[str, Any], field: str, why: str
) -> None:
    fields = shown_for(**{"objective_prompt": "Ask", **raw})
    view = edit_form(fields)

    assert field in fields.left_out and why in fields.left_out[field]
    assert block_id(0, field) not in by_block(view)
    notes = [b for b in view["blocks"] if b["type"] == "context"]
    assert any("not in this form" in json.dumps(b) and "JSON Patch" in json.dumps(b) for b in notes)
    assert_valid_view(view)
    # Submitted, and redrawn by "Add an objective", the field stays out of the form.
    (read,) = modal.read_objectives(submitted(view), 1)
    assert field in read.left_out
    assert block_id(0, field) not in by_block(edit_form(read))


def test_a_confirmation_mode_the_form_does_not_know_is_kept_as_an_option() -> None:
    fields = shown_for(objective_prompt="Ask", confirmation_mode="on_request")
    view = edit_form(fields)

    menu = by_block(view)[block_id(0, modal.MODE)]["element"]
    assert [o["value"] for o in menu["options"]] == ["auto", "manual", "on_request"]
    assert menu["initial_option"]["value"] == "on_request"
    assert modal.read_objectives(submitted(view), 1)[0].confirmation_mode == "on_request"


def test_an_objective_whose_name_or_prompt_is_left_out_is_never_blank() -> None:
    fields = shown_for(objective_prompt="Ask. " * 864)
    view = edit_form(fields)

    (read,) = modal.read_objectives(submitted(view, **{block_id(0, modal.NAME): None}), 1)

    assert not read.blank


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_values_still_make_a_valid_form(value: object) -> None:
    text = str(value)
    fields = ObjectiveFields(
        name=text, prompt=text, output_variables=text, next_objectives=text, branches=text
    )
    setup = Setup(channel_id="C0123", count=2, editing="o12345")

    assert_valid_view(modal.objectives_modal(setup, [fields, fields]))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Setup("C1", 3, "o1234", False).metadata(), Setup("C1", 3, "o1234", False)),
        (Setup("C1", 2, "o1234", True, "v1").metadata(), Setup("C1", 2, "o1234", True, "v1")),
        ('{"e": "o1234", "v": 7}', Setup(None, 1, "o1234")),
        ('{"n": 500}', Setup(None, domain.MAX_OBJECTIVES)),
        ('{"n": -4, "c": 7, "e": []}', Setup(None, 1)),
        ('{"n": true}', Setup(None, 1)),
        ("not json", Setup(None, 1)),
        ("[1, 2]", Setup(None, 1)),
        ("", Setup(None, 1)),
        (None, Setup(None, 1)),
    ],
)
def test_the_metadata_is_read_leniently(raw: object, expected: Setup) -> None:
    assert Setup.parse(raw, most=domain.MAX_OBJECTIVES) == expected


def test_growing_stops_at_the_most() -> None:
    setup = Setup(None, domain.MAX_OBJECTIVES - 1, "o1234", True, "v1")

    assert setup.grown(domain.MAX_OBJECTIVES).version == "v1"
    assert setup.grown(domain.MAX_OBJECTIVES).count == domain.MAX_OBJECTIVES
    assert setup.grown(domain.MAX_OBJECTIVES).grown(domain.MAX_OBJECTIVES).count == 10


@pytest.mark.parametrize("relayed", [True, False])
def test_the_created_view_says_how_to_use_the_set(relayed: bool) -> None:
    view = modal.created_view("o12345", ["a", "<!channel>"], relayed=relayed)

    shown = json.dumps(view)
    assert_valid_view(view)
    assert "objectives_id" in shown and "o12345" in shown
    assert "&lt;!channel&gt;" in shown
    assert ("PUBLIC_URL" in shown) is not relayed


def test_a_reason_is_escaped_unless_it_is_mrkdwn_already() -> None:
    assert "&lt;!here&gt;" in json.dumps(set_modal.not_saved_view("<!here>"))
    assert "<@U123>" in json.dumps(set_modal.not_saved_view("Only <@U123>", escaped=True))
