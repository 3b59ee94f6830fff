"""bot.objectives: what is sent to create a set, and the document an edit patches towards."""

from __future__ import annotations

from typing import Any

import jsonpatch
import pytest

from bot import patching
from bot.objectives import (
    FLAT_SHAPE,
    LIST_SHAPE,
    OBJECT_SHAPE,
    ObjectiveDraft,
    edited_document,
    shape_of,
    spec,
)
from bot.tavus import ObjectiveSet

OURS = "https://bot.example/tavus/callbacks/tok"
THEIRS = "https://elsewhere.example/hook"

EMAIL = {
    "objective_name": "collect_email",
    "objective_prompt": "Ask for the email",
    "confirmation_mode": "auto",
    "modality": "verbal",
    "output_variables": ["email"],
    "next_required_objective": "schedule",
    "callback_url": THEIRS,
}
SCHEDULE = {
    "objective_name": "schedule",
    "objective_prompt": "Book a demo",
    "confirmation_mode": "auto",
    "modality": "verbal",
    "output_variables": [],
    "callback_url": None,
}


def as_drafts(*items: dict[str, Any]) -> list[ObjectiveDraft]:
    return [
        ObjectiveDraft(
            name=item["objective_name"],
            prompt=item["objective_prompt"],
            confirmation_mode=item.get("confirmation_mode", "auto"),
            modality=item.get("modality", "verbal"),
            output_variables=tuple(item.get("output_variables") or ()),
            next_objective=item.get("next_required_objective"),
        )
        for item in items
    ]


def listed(*items: dict[str, Any]) -> ObjectiveSet:
    return ObjectiveSet.from_api({"objectives_id": "o12345", "data": list(items)})


def test_a_spec_carries_our_url_and_only_what_was_given() -> None:
    draft = ObjectiveDraft(name="a", prompt="Ask", branches=(("b", "if busy"),))

    assert spec(draft, OURS) == {
        "objective_name": "a",
        "objective_prompt": "Ask",
        "confirmation_mode": "auto",
        "modality": "verbal",
        "next_conditional_objectives": {"b": "if busy"},
        "callback_url": OURS,
    }
    assert "callback_url" not in spec(draft, None)


def test_an_unchanged_form_changes_nothing() -> None:
    found = listed(EMAIL, SCHEDULE)

    new = edited_document(found, as_drafts(EMAIL, SCHEDULE), OURS)

    # SCHEDULE had no URL: ours is added so that its completions reach us; nothing else moves.
    assert patching.diff(found.raw, new) == [
        {"op": "replace", "path": "/data/1/callback_url", "value": OURS}
    ]
    assert patching.diff(found.raw, edited_document(found, as_drafts(EMAIL, SCHEDULE), None)) == [
        {"op": "replace", "path": "/data/1/callback_url", "value": THEIRS}
    ]


def test_an_edit_keeps_what_the_form_does_not_show_and_clears_what_it_emptied() -> None:
    found = listed({**EMAIL, "created_at": "2025-01-01", "uuid": "x"}, SCHEDULE)
    drafts = as_drafts({**EMAIL, "objective_prompt": "Ask nicely", "output_variables": []})
    drafts[0] = ObjectiveDraft(**{**drafts[0].__dict__, "next_objective": None})

    new = edited_document(found, drafts, OURS)

    expected = {**EMAIL, "objective_prompt": "Ask nicely", "created_at": "2025-01-01", "uuid": "x"}
    del expected["output_variables"], expected["next_required_objective"]
    assert new["data"] == [expected]
    assert jsonpatch.apply_patch(found.raw, patching.diff(found.raw, new)) == new


def test_a_new_objective_reports_where_the_set_does() -> None:
    found = listed(EMAIL)
    drafts = as_drafts(EMAIL, {"objective_name": "wrap_up", "objective_prompt": "Say bye"})

    assert edited_document(found, drafts, OURS)["data"][1]["callback_url"] == OURS
    assert edited_document(found, drafts, None)["data"][1]["callback_url"] == THEIRS


def test_the_docs_pages_list_of_next_objectives_keeps_its_shape() -> None:
    plural = {**SCHEDULE, "next_required_objectives": ["collect_email"]}
    found = listed(plural, EMAIL)
    drafts = as_drafts({**SCHEDULE, "next_required_objective": "collect_email"}, EMAIL)

    new = edited_document(found, drafts, None)

    assert new["data"][0]["next_required_objectives"] == ["collect_email"]
    assert "next_required_objective" not in new["data"][0]


@pytest.mark.parametrize(
    ("raw", "shape", "prompt_path"),
    [
        ({"data": [EMAIL]}, LIST_SHAPE, "/data/0/objective_prompt"),
        ({"data": EMAIL}, OBJECT_SHAPE, "/data/objective_prompt"),
        ({**EMAIL, "objectives_id": "o12345"}, FLAT_SHAPE, "/objective_prompt"),
    ],
)
def test_paths_follow_the_shape_get_answered(raw: Any, shape: str, prompt_path: str) -> None:
    found = ObjectiveSet.from_api(raw, objectives_id="o12345")
    drafts = as_drafts({**EMAIL, "objective_prompt": "Changed"})

    operations = patching.diff(found.raw, edited_document(found, drafts, None))

    assert shape_of(found) == shape
    assert operations == [{"op": "replace", "path": prompt_path, "value": "Changed"}]


@pytest.mark.parametrize("raw", [{"data": EMAIL}, {**EMAIL, "objectives_id": "o12345"}])
def test_a_set_shown_by_one_objective_cannot_grow(raw: Any) -> None:
    found = ObjectiveSet.from_api(raw, objectives_id="o12345")

    with pytest.raises(ValueError, match="one objective"):
        edited_document(found, as_drafts(EMAIL, SCHEDULE), None)


def test_what_the_form_does_not_show_stays_with_its_objective_by_name() -> None:
    third = {**SCHEDULE, "objective_name": "wrap_up", "uuid": "u3"}
    found = listed({**EMAIL, "uuid": "u1"}, {**SCHEDULE, "uuid": "u2"}, third)
    renamed = {**SCHEDULE, "objective_name": "book_demo"}

    new = edited_document(found, as_drafts(EMAIL, third, renamed), None)

    # schedule left the form: wrap_up keeps its own fields though it moved up, and book_demo,
    # new in wrap_up's old place, starts afresh (wrap_up is still in the form).
    assert [(o["objective_name"], o.get("uuid")) for o in new["data"]] == [
        ("collect_email", "u1"),
        ("wrap_up", "u3"),
        ("book_demo", None),
    ]
