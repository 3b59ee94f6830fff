from __future__ import annotations

import json

import pytest

from bot.blocks import guardrails as blocks
from bot.tavus import GuardrailSet
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_message

SET = GuardrailSet.from_api(
    {
        "guardrails_id": "g12345",
        "name": "Compliance",
        "data": [
            {"guardrail_name": "no_medical_advice", "guardrail_prompt": "Never diagnose"},
            {
                "guardrail_name": "no_pricing",
                "guardrail_prompt": "Never quote",
                "modality": "visual",
            },
        ],
    }
)


def test_a_trigger_is_a_warning_naming_the_guardrail() -> None:
    text, message = blocks.triggered_message("no_pricing")

    assert text == ":warning: Guardrail *no_pricing* was triggered in this call."
    assert len(message) == 1


def test_a_line_names_the_set_and_its_guardrails() -> None:
    line = blocks.guardrails_line(SET)

    assert line == "`g12345` *Compliance* · 2 guardrails: *no_medical_advice*, *no_pricing*"


def test_the_details_show_each_guardrail() -> None:
    text, message = blocks.guardrails_details(SET, relayed=True)

    shown = json.dumps(message, ensure_ascii=False)
    assert "*2. no_pricing* · visual" in shown and "Never quote" in shown
    assert "guardrails_id" in shown
    assert_valid_message(text, message)


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_sets_are_escaped_and_fit(value: object) -> None:
    item = {"guardrail_name": value, "guardrail_prompt": value, "modality": value}
    found = GuardrailSet.from_api(
        {"guardrails_id": "g12345", "name": value, "created_at": value, "data": [item] * 12}
    )
    shown = [
        blocks.guardrails_details(found, relayed=False),
        blocks.triggered_message(value, conversation_id="c1234", guardrails_id="g12345"),
        blocks.guardrails_card(
            guardrails_id="g12345",
            name=str(value),
            names=[value] * 20,
            status="deleted",
            owner_user_id="U123",
        ),
        ("line", blocks.kit.sections(blocks.guardrails_line(found))),
    ]
    for text, message in shown:
        assert_valid_message(text, message)
        sent = json.dumps(message) + text
        assert "<!channel>" not in sent and "<https://evil" not in sent
