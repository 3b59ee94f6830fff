"""bot.patching: an edit's JSON Patch, checked by applying it with an RFC 6902 library."""

from __future__ import annotations

from typing import Any

import jsonpatch
import pytest

from bot.patching import diff, member_changes, pointer, same
from bot.tavus.patch import check_operations

SET = {
    "objectives_id": "o1234",
    "created_at": "2025-01-01",
    "data": [
        {"objective_name": "a", "objective_prompt": "Ask A", "output_variables": ["x", "y"]},
        {"objective_name": "b", "objective_prompt": "Ask B", "callback_url": None},
        {"objective_name": "c", "objective_prompt": "Ask C"},
    ],
}


def edited(**changes: Any) -> dict[str, Any]:
    return {**SET, **changes}


@pytest.mark.parametrize(
    "new",
    [
        SET,
        edited(data=[{**SET["data"][0], "objective_prompt": "Ask A again"}, *SET["data"][1:]]),
        edited(data=[*SET["data"], {"objective_name": "d", "objective_prompt": "Ask D"}]),
        edited(data=SET["data"][:1]),
        edited(data=[SET["data"][2], SET["data"][0]]),
        edited(data=[{"objective_name": "a", "objective_prompt": "Ask A"}, *SET["data"][1:]]),
        edited(data=[{**SET["data"][0], "output_variables": ["y"]}, *SET["data"][1:]]),
        edited(name="Renamed", data=[]),
        {k: v for k, v in SET.items() if k != "created_at"},
        edited(data=[{**SET["data"][0], "a/b~c": 1}, *SET["data"][1:]]),
    ],
)
def test_the_operations_turn_the_old_document_into_the_new(new: dict[str, Any]) -> None:
    operations = diff(SET, new)

    assert jsonpatch.apply_patch(SET, operations) == new
    check_operations(operations) if operations else None
    assert all(op["op"] in ("add", "remove", "replace") for op in operations)


def test_nothing_changed_is_no_operation() -> None:
    assert diff(SET, {**SET, "data": [dict(item) for item in SET["data"]]}) == []


def test_only_the_changed_field_is_sent() -> None:
    new = edited(
        data=[SET["data"][0], {**SET["data"][1], "objective_prompt": "B!"}, SET["data"][2]]
    )

    assert diff(SET, new) == [{"op": "replace", "path": "/data/1/objective_prompt", "value": "B!"}]


def test_removed_items_go_from_the_end_so_each_index_is_right() -> None:
    operations = diff(SET, edited(data=SET["data"][:1]))

    assert [op["path"] for op in operations] == ["/data/2", "/data/1"]


def test_a_list_of_plain_values_is_replaced_whole() -> None:
    new = edited(data=[{**SET["data"][0], "output_variables": ["y"]}, *SET["data"][1:]])

    assert diff(SET, new) == [{"op": "replace", "path": "/data/0/output_variables", "value": ["y"]}]


@pytest.mark.parametrize(("old", "new"), [(1, True), (1, 1.0), (1, "1"), (None, False)])
def test_json_types_differ_where_python_says_equal(old: object, new: object) -> None:
    assert not same(old, new)
    assert diff({"v": old}, {"v": new}) == [{"op": "replace", "path": "/v", "value": new}]


def test_pointer_tokens_are_escaped() -> None:
    assert pointer("/data/0", "a/b~c") == "/data/0/a~1b~0c"


def test_two_documents_of_different_types_have_no_patch() -> None:
    with pytest.raises(ValueError, match="two objects"):
        diff({"a": 1}, 3)


def test_member_changes_match_members_by_name_not_place() -> None:
    before = SET["data"]
    after = [
        SET["data"][2],
        {**SET["data"][0], "objective_prompt": "Ask A again", "modality": "visual"},
        {"objective_name": "d", "objective_prompt": "Ask D"},
    ]

    changes = member_changes(before, after, key="objective_name", noun="objective")

    assert changes == [
        "removed objective b",
        "changed the objective prompt of a",
        "changed the modality of a",
        "added objective d",
        "put the objectives in a new order",
    ]
    assert member_changes(before, before, key="objective_name", noun="objective") == []
