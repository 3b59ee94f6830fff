"""bot.objectives: what is sent to create a set, and the document an edit patches towards."""

from __future__ import annotations

import dataclasses
from typing import Any

import jsonpatch
import pytest

from bot import patching
from bot.objectives import ObjectiveDraft, edited_document, many, spec
from bot.sets import FLAT_SHAPE, LIST_SHAPE, OBJECT_SHAPE, Slot, shape_of, version
from bot.tavus import Objective, ObjectiveSet

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
    return [ObjectiveDraft.of(Objective.from_api(item)) for item in items]


def slots(*drafts: ObjectiveDraft) -> list[Slot[ObjectiveDraft]]:
    return [Slot(index, draft) for index, draft in enumerate(drafts)]


def listed(*items: dict[str, Any]) -> ObjectiveSet:
    return ObjectiveSet.from_api({"objectives_id": "o12345", "data": list(items)})


def edit(draft: ObjectiveDraft, **changes: Any) -> ObjectiveDraft:
    return dataclasses.replace(draft, **changes)


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

    new = edited_document(found, slots(*as_drafts(EMAIL, SCHEDULE)), OURS)

    # SCHEDULE has no URL of its own, but the user did not touch it: it is left as it is.
    assert patching.diff(found.raw, new) == []


def test_an_edit_writes_only_what_changed_and_clears_what_was_emptied() -> None:
    found = listed({**EMAIL, "created_at": "2025-01-01", "uuid": "x"}, SCHEDULE)
    (email,) = as_drafts(EMAIL)
    drafts = [edit(email, prompt="Ask nicely", output_variables=(), next_objectives=())]

    new = edited_document(found, slots(*drafts), OURS)

    expected = {**EMAIL, "objective_prompt": "Ask nicely", "created_at": "2025-01-01", "uuid": "x"}
    del expected["output_variables"], expected["next_required_objective"]
    assert new["data"] == [expected]
    assert jsonpatch.apply_patch(found.raw, patching.diff(found.raw, new)) == new


def test_a_new_objective_reports_where_the_set_does() -> None:
    found = listed(EMAIL)
    drafts = as_drafts(EMAIL, {"objective_name": "wrap_up", "objective_prompt": "Say bye"})

    assert edited_document(found, slots(*drafts), OURS)["data"][1]["callback_url"] == OURS
    assert edited_document(found, slots(*drafts), None)["data"][1]["callback_url"] == THEIRS


@pytest.mark.parametrize("singular", [{}, {"next_required_objective": None}])
def test_the_docs_pages_list_of_next_objectives_keeps_its_shape(singular: dict[str, Any]) -> None:
    plural = {**SCHEDULE, **singular, "next_required_objectives": ["collect_email"]}
    found = listed(plural, EMAIL, {**SCHEDULE, "objective_name": "wrap_up"})
    schedule, email, wrap_up = as_drafts(*found.raw["data"])

    changed = edit(schedule, next_objectives=("collect_email", "wrap_up"))
    new = edited_document(found, slots(changed, email, wrap_up), None)

    assert new["data"][0]["next_required_objectives"] == ["collect_email", "wrap_up"]
    assert new["data"][0].get("next_required_objective") is None


def test_several_next_objectives_survive_an_edit_of_another_field() -> None:
    """The review's repro: the form showed only the first of ["b", "c"], and saving it after
    adding an output variable replaced the list with ["b"]."""
    first = {
        "objective_name": "a",
        "objective_prompt": "do a",
        "next_required_objectives": ["b", "c"],
    }
    items = [first, *({"objective_name": n, "objective_prompt": f"do {n}"} for n in "bc")]
    found = listed(*items)
    a, b, c = as_drafts(*items)
    assert a.next_objectives == ("b", "c") and many(found.objectives[0])

    operations = patching.diff(
        found.raw, edited_document(found, slots(edit(a, output_variables=("email",)), b, c), None)
    )

    assert operations == [{"op": "add", "path": "/data/0/output_variables", "value": ["email"]}]


def test_a_single_next_objective_takes_one_name() -> None:
    found = listed(EMAIL, SCHEDULE)
    email, schedule = as_drafts(EMAIL, SCHEDULE)

    with pytest.raises(ValueError, match="one next objective"):
        edited_document(found, slots(edit(email, next_objectives=("a", "b")), schedule), None)


def test_a_confirmation_mode_tavus_added_since_is_kept() -> None:
    found = listed({**EMAIL, "confirmation_mode": "on_request"})
    (email,) = as_drafts(found.raw["data"][0])
    assert email.confirmation_mode == "on_request"

    new = edited_document(found, slots(edit(email, prompt="Ask again")), None)

    assert new["data"][0]["confirmation_mode"] == "on_request"
    assert patching.diff(found.raw, new) == [
        {"op": "replace", "path": "/data/0/objective_prompt", "value": "Ask again"}
    ]


def test_a_field_tavus_left_unset_stays_unset_when_the_form_shows_its_default() -> None:
    bare = {"objective_name": "greet", "objective_prompt": "Say hi"}
    found = listed(bare)

    new = edited_document(found, slots(*as_drafts(bare)), None)

    assert new["data"] == [bare]


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
    (email,) = as_drafts(EMAIL)

    operations = patching.diff(
        found.raw, edited_document(found, slots(edit(email, prompt="Changed")), None)
    )

    assert shape_of(found.raw) == shape
    assert operations == [{"op": "replace", "path": prompt_path, "value": "Changed"}]


@pytest.mark.parametrize("raw", [{"data": EMAIL}, {**EMAIL, "objectives_id": "o12345"}])
def test_a_set_shown_by_one_objective_cannot_grow(raw: Any) -> None:
    found = ObjectiveSet.from_api(raw, objectives_id="o12345")

    with pytest.raises(ValueError, match="one objective"):
        edited_document(found, slots(*as_drafts(EMAIL, SCHEDULE)), None)


def test_each_objective_of_the_form_edits_the_one_shown_in_its_place() -> None:
    third = {**SCHEDULE, "objective_name": "wrap_up", "uuid": "u3"}
    found = listed({**EMAIL, "uuid": "u1"}, {**SCHEDULE, "uuid": "u2"}, third)
    email, schedule, wrap_up = as_drafts(*found.raw["data"])

    # schedule's place emptied (the objective is gone); wrap_up renamed; one added at the end.
    form = [
        Slot(0, email),
        Slot(2, edit(wrap_up, name="book_demo")),
        Slot(3, edit(schedule, name="new_one")),
    ]
    new = edited_document(found, form, None)

    assert [(o["objective_name"], o.get("uuid")) for o in new["data"]] == [
        ("collect_email", "u1"),
        ("book_demo", "u3"),
        ("new_one", None),
    ]


def test_the_version_changes_with_any_change_in_tavus() -> None:
    opened = version(listed(EMAIL, SCHEDULE).raw)

    assert version(listed(EMAIL, SCHEDULE).raw) == opened
    assert (
        version(listed({**EMAIL, "objective_prompt": "Ask for the WORK email"}, SCHEDULE).raw)
        != opened
    )
    assert version(listed(SCHEDULE, EMAIL).raw) != opened
