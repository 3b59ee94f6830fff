from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks import objective_modal as modal
from bot.blocks.objective_modal import ObjectiveFields, Setup, block_id
from bot.domain import objectives as domain
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
    next_objective="schedule",
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


def test_an_objective_tavus_has_is_shown_for_editing() -> None:
    objective = Objective.from_api(
        {
            "objective_name": "collect_email",
            "objective_prompt": "Ask",
            "output_variables": ["email", "name"],
            "next_required_objectives": ["schedule"],
            "next_conditional_objectives": {"wrap_up": "busy", "demo": "wants one"},
        }
    )

    fields = ObjectiveFields.of(objective)

    assert fields.output_variables == "email, name"
    assert fields.next_objective == "schedule"
    assert fields.branches == "wrap_up: busy\ndemo: wants one"


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_values_still_make_a_valid_form(value: object) -> None:
    text = str(value)
    fields = ObjectiveFields(
        name=text, prompt=text, output_variables=text, next_objective=text, branches=text
    )
    setup = Setup(channel_id="C0123", count=2, editing="o12345")

    assert_valid_view(modal.objectives_modal(setup, [fields, fields]))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Setup("C1", 3, "o1234", False).metadata(), Setup("C1", 3, "o1234", False)),
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
    setup = Setup(None, domain.MAX_OBJECTIVES - 1)

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
    assert "&lt;!here&gt;" in json.dumps(modal.not_saved_view("<!here>"))
    assert "<@U123>" in json.dumps(modal.not_saved_view("Only <@U123>", escaped=True))
