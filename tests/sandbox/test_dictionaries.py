"""/v2/pronunciation-dictionaries: rules checked as the spec says, JSON Patch of name/rules."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.sandbox.conftest import Sandbox, create_dictionary

PATH = "/v2/pronunciation-dictionaries"
TAVUS = {"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}
SQL = {
    "text": "SQL",
    "pronunciation": "ˈsiːkwəl",
    "type": "ipa",
    "case_sensitive": True,
    "word_boundaries": False,
}
NOT_FOUND = {"message": "Pronunciation dictionary not found"}


async def _get(sandbox: Sandbox, dictionary_id: str) -> dict[str, Any]:
    response = await sandbox.client.get(f"{PATH}/{dictionary_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _patch(sandbox: Sandbox, dictionary_id: str, *operations: dict[str, Any]) -> Any:
    return await sandbox.client.patch(f"{PATH}/{dictionary_id}", json=list(operations))


async def test_create_answers_201_with_defaults_filled(sandbox: Sandbox) -> None:
    response = await sandbox.client.post(PATH, json={"name": "Brand Terms", "rules": [TAVUS, SQL]})

    body = response.json()
    assert response.status_code == 201
    assert re.fullmatch(r"pd_[0-9a-f]{14}", body["pronunciation_dictionary_id"])
    assert body["name"] == "Brand Terms"
    assert body["rules"] == [{**TAVUS, "case_sensitive": False, "word_boundaries": True}, SQL]
    assert body["rules_count"] == 2
    assert body["created_at"] == body["updated_at"]
    assert body == await _get(sandbox, body["pronunciation_dictionary_id"])


async def test_rules_may_come_later(sandbox: Sandbox) -> None:
    found = await _get(sandbox, await create_dictionary(sandbox))

    assert (found["rules"], found["rules_count"]) == ([], 0)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "name is required"),
        ({"name": ""}, "name is required"),
        ({"name": "n" * 256}, "name must be at most 255 characters"),
        ({"name": "x", "rules": {"Tavus": "TAH-vus"}}, "rules must be a list"),
        ({"name": "x", "rules": ["Tavus"]}, "rules[0] must be an object"),
        ({"name": "x", "rules": [{**TAVUS, "text": None}]}, "rules[0].text is required"),
        (
            {"name": "x", "rules": [{**TAVUS, "text": "t" * 201}]},
            "rules[0].text must be at most 200 characters",
        ),
        (
            {"name": "x", "rules": [{**TAVUS, "pronunciation": "p" * 501}]},
            "rules[0].pronunciation must be at most 500 characters",
        ),
        (
            {"name": "x", "rules": [TAVUS, {**TAVUS, "type": "phoneme"}]},
            "rules[1].type must be one of: alias, ipa",
        ),
        (
            {"name": "x", "rules": [{**TAVUS, "case_sensitive": "no"}]},
            "rules[0].case_sensitive must be a boolean",
        ),
        ({"name": "x", "rules": [{**TAVUS, "lang": "en"}]}, "unknown field rules[0].lang"),
        ({"name": "x", "rules": [TAVUS, {**SQL, "text": "Tavus"}]}, "duplicate text values"),
        ({"name": "x", "language": "en"}, "unknown field language"),
    ],
)
async def test_create_refusals(sandbox: Sandbox, body: dict[str, Any], error: str) -> None:
    response = await sandbox.client.post(PATH, json=body)

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"Invalid request: {error}")
    assert sandbox.state.dictionaries == {}


async def test_list_leaves_rules_out_newest_first_pages_from_zero(sandbox: Sandbox) -> None:
    ids = [await create_dictionary(sandbox, name=f"D{i}", rules=[TAVUS]) for i in range(3)]

    first = (await sandbox.client.get(PATH, params={"limit": 2})).json()
    second = (await sandbox.client.get(PATH, params={"limit": 2, "page": 1})).json()
    ascending = (await sandbox.client.get(PATH, params={"sort": "asc"})).json()

    assert (first["total_count"], first["page"], first["limit"]) == (3, 0, 2)
    listed = first["data"] + second["data"]
    assert [d["pronunciation_dictionary_id"] for d in listed] == ids[::-1]
    assert all("rules" not in d and d["rules_count"] == 1 for d in listed)
    assert [d["name"] for d in ascending["data"]] == ["D0", "D1", "D2"]


async def test_list_refuses_an_unknown_sort(sandbox: Sandbox) -> None:
    response = await sandbox.client.get(PATH, params={"sort": "newest"})

    assert response.json() == {"error": "Invalid request: sort must be one of: asc, desc"}


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_unknown_ids_are_404(sandbox: Sandbox, method: str) -> None:
    response = await sandbox.client.request(method, f"{PATH}/pd_00000000000000", json=[])

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


async def test_patch_name_and_rules_answers_the_whole_dictionary(sandbox: Sandbox) -> None:
    dictionary_id = await create_dictionary(sandbox, rules=[TAVUS])

    response = await _patch(
        sandbox,
        dictionary_id,
        {"op": "replace", "path": "/name", "value": "Product Terms"},
        {"op": "add", "path": "/rules/-", "value": {**SQL}},
        {"op": "replace", "path": "/rules/0/pronunciation", "value": "TAY-vus"},
    )

    body = response.json()
    assert response.status_code == 200
    assert body["name"] == "Product Terms"
    assert [rule["pronunciation"] for rule in body["rules"]] == ["TAY-vus", SQL["pronunciation"]]
    assert body["rules_count"] == 2
    assert body["updated_at"] > body["created_at"]
    assert body == await _get(sandbox, dictionary_id)


async def test_an_added_rule_gets_its_defaults(sandbox: Sandbox) -> None:
    dictionary_id = await create_dictionary(sandbox)

    response = await _patch(
        sandbox, dictionary_id, {"op": "add", "path": "/rules/0", "value": TAVUS}
    )

    assert response.json()["rules"] == [{**TAVUS, "case_sensitive": False, "word_boundaries": True}]


async def test_patch_refusals(sandbox: Sandbox) -> None:
    dictionary_id = await create_dictionary(sandbox, rules=[TAVUS])
    before = await _get(sandbox, dictionary_id)

    same = await _patch(
        sandbox, dictionary_id, {"op": "replace", "path": "/name", "value": "Brand Terms"}
    )
    bad = await _patch(sandbox, dictionary_id, {"op": "replace", "path": "/rules/3", "value": SQL})
    fixed = await _patch(
        sandbox, dictionary_id, {"op": "replace", "path": "/rules_count", "value": 9}
    )
    duplicate = await _patch(
        sandbox, dictionary_id, {"op": "add", "path": "/rules/-", "value": TAVUS}
    )

    assert same.status_code == 304
    assert (bad.status_code, bad.json()) == (422, {"message": "Invalid JSON patch format"})
    assert fixed.json() == {"error": "Cannot modify rules_count"}
    assert duplicate.json() == {"error": "Invalid request: duplicate text values in rules"}
    assert await _get(sandbox, dictionary_id) == before


async def test_delete_is_204_then_404(sandbox: Sandbox) -> None:
    dictionary_id = await create_dictionary(sandbox)

    deleted = await sandbox.client.delete(f"{PATH}/{dictionary_id}")
    fetched = await sandbox.client.get(f"{PATH}/{dictionary_id}")

    assert deleted.status_code == 204
    assert fetched.status_code == 404
