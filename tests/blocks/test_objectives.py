from __future__ import annotations

import json

import pytest

from bot.blocks import objectives as blocks
from bot.blocks import set_modal
from bot.tavus import ObjectiveSet
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_message

SET = ObjectiveSet.from_api(
    {
        "objectives_id": "o12345",
        "created_at": "2025-07-01T10:00:00Z",
        "data": [
            {
                "objective_name": "collect_email",
                "objective_prompt": "Ask for their email",
                "confirmation_mode": "manual",
                "modality": "verbal",
                "output_variables": ["email"],
                "next_required_objective": "schedule",
            },
            {
                "objective_name": "schedule",
                "objective_prompt": "Book a demo",
                "next_conditional_objectives": {"wrap_up": "they are busy"},
            },
        ],
    }
)


def hostile_set(value: object) -> ObjectiveSet:
    item = {
        "objective_name": value,
        "objective_prompt": value,
        "confirmation_mode": value,
        "modality": value,
        "output_variables": [str(value)] * 12,
        "next_required_objective": value,
        "next_conditional_objectives": {str(value): value},
    }
    return ObjectiveSet.from_api(
        {"objectives_id": "o12345", "created_at": value, "data": [item] * 12}
    )


def test_a_completion_has_the_variables_as_fields_and_says_where_it_came_from() -> None:
    text, message = blocks.completed_message(
        "collect_email", {"email": "a@b.c"}, conversation_id="c123456", objectives_id="o12345"
    )

    assert text == ":dart: Objective *collect_email* completed.\n• *email:* a@b.c"
    assert message[1]["fields"] == [{"type": "mrkdwn", "text": "*email*\na@b.c"}]
    assert "c123456" in json.dumps(message[2]) and "o12345" in json.dumps(message[2])


def test_past_ten_variables_the_rest_are_counted() -> None:
    variables = {f"v{i}": str(i) for i in range(14)}

    text, message = blocks.completed_message("x", variables)

    assert "_…and 4 more._" in text
    assert len(message[1]["fields"]) == 10
    assert_valid_message(text, message)


def test_a_line_names_the_objectives() -> None:
    line = blocks.objectives_line(SET)

    assert line.startswith("`o12345` · 2 objectives: *collect_email*, *schedule*")


def test_the_details_show_each_objective_and_how_it_leads_on() -> None:
    text, message = blocks.objectives_details(SET, relayed=True)

    shown = json.dumps(message, ensure_ascii=False)
    assert "*1. collect_email* · confirmed manual · verbal" in shown
    assert "Output: `email`" in shown and "Next: *schedule*" in shown
    assert "*wrap_up* if they are busy" in shown
    assert "objectives_id" in shown and "not posted" not in shown
    assert "not posted" in json.dumps(blocks.objectives_details(SET, relayed=False)[1])
    assert_valid_message(text, message)


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_sets_are_escaped_and_fit(value: object) -> None:
    found = hostile_set(value)
    shown = [blocks.objectives_details(found, relayed=False)]
    shown.append(blocks.completed_message(value, {str(value): value}, conversation_id="c1234"))
    shown.append(
        blocks.objectives_card(
            objectives_id="o12345", names=[value] * 20, status="active", owner_user_id="U123"
        )
    )
    line = blocks.objectives_line(found)
    shown.append(("line", blocks.kit.sections(line)))
    for text, message in shown:
        assert_valid_message(text, message)
        sent = json.dumps(message) + text
        assert "<!channel>" not in sent and "<https://evil" not in sent


def test_saved_text_lists_what_changed_escaped() -> None:
    changes = [f"changed the prompt of <!channel>{i}" for i in range(25)]

    text = set_modal.saved_text("objectives", "o12345", changes)

    assert text.startswith(":white_check_mark: Saved objectives `o12345`:")
    assert "&lt;!channel&gt;0" in text and "<!channel>" not in text
    assert "_…and 5 more._" in text
    assert "Nothing to change" in set_modal.saved_text("objectives", "o12345", [])
