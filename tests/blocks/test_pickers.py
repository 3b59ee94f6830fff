"""The shared pickers: labels that keep the id, preselection, reading the choice back."""

from __future__ import annotations

from typing import Any

import pytest

from bot.blocks import kit, pickers
from bot.domain.replicas import READY_CHOICES_KEY
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_view


def in_modal(*blocks: dict[str, Any]) -> dict[str, Any]:
    return kit.modal(title="Pick", blocks=list(blocks), submit="Go")


def test_every_action_id_is_distinct_and_cached_under_its_own_key() -> None:
    assert len(set(pickers.PICKERS)) == len(pickers.PICKERS) == 7
    assert pickers.cache_key(pickers.DOCUMENT_PICKER) == pickers.DOCUMENT_PICKER
    # Replicas keep the key replica events already forget when one is trained.
    assert pickers.cache_key(pickers.REPLICA_PICKER) == READY_CHOICES_KEY


def test_a_long_name_is_cut_so_the_id_still_shows() -> None:
    label = pickers.option_label("Sales coach " * 20, "p48fdf065d6b")

    assert len(label) <= kit.OPTION_TEXT_MAX
    assert label.endswith("… (p48fdf065d6b)")
    assert pickers.option_label(None, "p1") == "p1"
    assert pickers.option_label("  ", "p1") == "p1"


def test_an_id_no_option_can_carry_is_not_offered() -> None:
    assert pickers.choice_option("Too long", "p" * 151) is None
    assert pickers.choice_option("Empty", "") is None
    assert pickers.choice_option("Anna", "r1") == kit.option("Anna (r1)", "r1")


@pytest.mark.parametrize("name", TEXTS, ids=lambda raw: repr(raw)[:20])
def test_hostile_names_make_valid_pickers(name: Any) -> None:
    single = pickers.picker_input(
        "replica", "Replica", pickers.REPLICA_PICKER, placeholder="Type", initial=(name, "r1")
    )
    many = pickers.multi_picker_input(
        "documents",
        "Documents",
        pickers.DOCUMENT_PICKER,
        placeholder="Type",
        initial=[(name, "d1"), (name, "d" * 151), (None, "d2")],
    )

    assert_valid_view(in_modal(single, many))
    values = [o["value"] for o in many["element"]["initial_options"]]
    assert values == ["d1", "d2"]


def test_pickers_use_their_action_id_and_list_from_the_first_keystroke() -> None:
    block = pickers.picker_input("persona", "Persona", pickers.PERSONA_PICKER, placeholder="P")

    assert block["element"]["type"] == "external_select"
    assert block["element"]["action_id"] == pickers.PERSONA_PICKER
    assert block["element"]["min_query_length"] == 0
    assert "initial_option" not in block["element"]
    assert block["optional"] is False


def submitted(**blocks: Any) -> dict[str, dict[str, Any]]:
    return {block: {"a": state} for block, state in blocks.items()}


def test_choices_are_read_back_by_block() -> None:
    values = submitted(
        one={"type": "external_select", "selected_option": {"value": "p1"}},
        none={"type": "external_select", "selected_option": None},
        many={
            "type": "multi_external_select",
            "selected_options": [{"value": "d1"}, {"value": "d2"}, {"value": "d1"}],
        },
    )

    assert pickers.chosen(values, "one") == "p1"
    assert pickers.chosen(values, "none") is None
    assert pickers.chosen(values, "missing") is None
    assert pickers.chosen_all(values, "many") == ("d1", "d2")
    assert pickers.chosen_all(values, "one") == ()


def test_the_unavailable_note_is_an_error_wherever_it_was_picked() -> None:
    note = {"value": pickers.UNAVAILABLE}
    values = submitted(
        one={"selected_option": note},
        many={"selected_options": [{"value": "d1"}, note]},
        fine={"selected_option": {"value": "p1"}},
    )

    assert set(pickers.unavailable_errors(values)) == {"one", "many"}
    assert set(pickers.unavailable_errors(values, ["many", "fine"])) == {"many"}
