from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks import guardrail_modal as modal
from bot.blocks.guardrail_modal import GuardrailFields, block_id
from bot.blocks.set_modal import Setup
from bot.domain import guardrails as domain
from bot.guardrails import GuardrailDraft
from bot.tavus import Guardrail
from tests.blocks.form_values import submitted
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_view

FIELDS = GuardrailFields(name="no_medical_advice", prompt="Never diagnose", modality="visual")


def inputs(view: dict[str, Any]) -> list[str]:
    return [block["block_id"] for block in view["blocks"] if block["type"] == "input"]


def test_a_new_form_has_the_sets_name_one_guardrail_and_an_add_button() -> None:
    view = modal.guardrails_modal(Setup(channel_id="C0123"))

    assert_valid_view(view)
    assert view["callback_id"] == modal.CALLBACK_ID
    assert inputs(view) == [
        modal.SET_NAME,
        block_id(0, modal.NAME),
        block_id(0, modal.PROMPT),
        block_id(0, modal.MODALITY),
    ]
    (add,) = [b for b in view["blocks"] if b["type"] == "actions"]
    assert add["elements"][0]["action_id"] == modal.ADD_ACTION


def test_the_fullest_form_fits_slack() -> None:
    setup = Setup(channel_id="C0123", count=domain.MAX_GUARDRAILS)
    view = modal.guardrails_modal(setup, [FIELDS] * domain.MAX_GUARDRAILS, set_name="Set")

    assert_valid_view(view)
    assert not [b for b in view["blocks"] if b["type"] == "actions"]


def test_what_is_shown_reads_back_the_same() -> None:
    view = modal.guardrails_modal(Setup(None, count=2), [FIELDS], set_name="Compliance")

    form = modal.read_guardrails(submitted(view), 2)

    assert form.set_name == "Compliance"
    assert form.guardrails[0] == FIELDS
    assert form.guardrails[1].blank and form.guardrails[1].modality == "verbal"


def shown_for(**raw: Any) -> GuardrailFields:
    guardrail = Guardrail.from_api({"guardrail_name": "no_pricing", **raw})
    return GuardrailFields.of(GuardrailDraft.of(guardrail))


def edit_form(*fields: GuardrailFields, name: str | None = "Set") -> dict[str, Any]:
    setup = Setup(None, count=len(fields), editing="g12345")
    why = modal.set_name_left_out(name)
    return modal.guardrails_modal(setup, fields, set_name=name, set_name_left_out=why)


def input_ids(view: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in view["blocks"] if b["type"] == "input"}


def test_a_guardrail_tavus_has_is_shown_for_editing() -> None:
    fields = shown_for(guardrails_prompt="Never quote")

    assert fields == GuardrailFields("no_pricing", "Never quote", "verbal")


def test_a_prompt_longer_than_the_field_is_left_out_with_a_note() -> None:
    fields = shown_for(guardrail_prompt="Never quote prices. " * 75)
    view = edit_form(fields)

    assert "1,499 characters" in fields.left_out[modal.PROMPT]
    assert block_id(0, modal.PROMPT) not in input_ids(view)
    assert "not in this form" in json.dumps(view) and "JSON Patch" in json.dumps(view)
    assert_valid_view(view)
    form = modal.read_guardrails(submitted(view), 1)
    assert modal.PROMPT in form.guardrails[0].left_out and not form.guardrails[0].blank


def test_a_set_name_longer_than_the_field_is_left_out() -> None:
    view = edit_form(FIELDS, name="n" * (domain.SET_NAME_MAX + 1))

    assert modal.SET_NAME not in input_ids(view)
    assert modal.read_guardrails(submitted(view), 1).set_name_left_out


def test_a_modality_the_form_does_not_know_is_kept_as_an_option() -> None:
    view = edit_form(shown_for(guardrail_prompt="Never", modality="auditory"))

    form = modal.read_guardrails(submitted(view), 1)

    assert form.guardrails[0].modality == "auditory"
    assert_valid_view(view)


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_values_still_make_a_valid_form(value: object) -> None:
    text = str(value)
    fields = GuardrailFields(name=text, prompt=text)
    setup = Setup(channel_id="C0123", count=2, editing="g12345")

    assert_valid_view(modal.guardrails_modal(setup, [fields, fields], set_name=text))


@pytest.mark.parametrize("relayed", [True, False])
def test_the_created_view_says_how_to_use_the_set(relayed: bool) -> None:
    view = modal.created_view("g12345", ["no_pricing"], relayed=relayed)

    shown = json.dumps(view)
    assert_valid_view(view)
    assert "guardrails_id" in shown and "g12345" in shown
    assert ("PUBLIC_URL" in shown) is not relayed
