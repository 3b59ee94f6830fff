"""/v2/guardrails: a named set of guardrails, read in either shape, JSON-patched."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.guardrails import guardrail_uuid
from tests.sandbox.conftest import Sandbox, StartSandbox, create_guardrails

COMPLIANCE = [
    {
        "guardrail_name": "healthcare_compliance",
        "guardrail_prompt": "Never provide medical advice",
        "modality": "verbal",
        "callback_url": "https://hooks.example.com/guardrails",
    },
    {"guardrail_name": "no_id_cards", "guardrail_prompt": "Stop if an ID is shown"},
]


async def _get(sandbox: Sandbox, guardrails_id: str) -> dict[str, Any]:
    response = await sandbox.client.get(f"/v2/guardrails/{guardrails_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _patch(sandbox: Sandbox, guardrails_id: str, *operations: dict[str, Any]) -> Any:
    return await sandbox.client.patch(f"/v2/guardrails/{guardrails_id}", json=list(operations))


async def test_create_answers_the_specs_shape(sandbox: Sandbox) -> None:
    body = {"name": "Healthcare Compliance Guardrails", "data": COMPLIANCE}

    response = await sandbox.client.post("/v2/guardrails", json=body)

    answer = response.json()
    assert response.status_code == 200
    assert set(answer) == {"guardrails_id", "guardrails_name", "status", "created_at"}
    assert answer["guardrails_id"].startswith("g")
    assert answer["guardrails_name"] == "Healthcare Compliance Guardrails"
    assert answer["status"] == "active"


async def test_get_answers_the_named_set_with_defaults_filled(sandbox: Sandbox) -> None:
    guardrails_id = await create_guardrails(sandbox, *COMPLIANCE)

    found = await _get(sandbox, guardrails_id)

    assert found["guardrails_id"] == guardrails_id
    assert found["name"] == "Compliance"
    assert found["data"] == [COMPLIANCE[0], {**COMPLIANCE[1], "modality": "verbal"}]


async def test_get_can_answer_the_specs_object(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(guardrails_get_shape="object")
    guardrails_id = await create_guardrails(sandbox, *COMPLIANCE)

    found = await _get(sandbox, guardrails_id)

    assert (found["guardrails_id"], found["name"]) == (guardrails_id, "Compliance")
    assert found["data"] == COMPLIANCE[0]


async def test_a_set_needs_no_name(sandbox: Sandbox) -> None:
    response = await sandbox.client.post("/v2/guardrails", json={"data": COMPLIANCE[1:]})

    assert response.status_code == 200
    assert response.json()["guardrails_name"] is None


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_unknown_ids_are_404_and_malformed_ones_400(sandbox: Sandbox, method: str) -> None:
    unknown = await sandbox.client.request(method, "/v2/guardrails/g000000000000", json=[])
    malformed = await sandbox.client.request(method, "/v2/guardrails/g-1", json=[])

    assert (unknown.status_code, unknown.json()) == (404, {"error": "Guardrails not found"})
    assert (malformed.status_code, malformed.json()) == (400, {"error": "Invalid guardrails_id"})


async def test_list_is_newest_first(sandbox: Sandbox) -> None:
    older, newer = await create_guardrails(sandbox), await create_guardrails(sandbox)

    listed = (await sandbox.client.get("/v2/guardrails")).json()

    assert listed["total_count"] == 2
    assert [s["guardrails_id"] for s in listed["data"]] == [newer, older]


def _guardrail(**fields: Any) -> dict[str, Any]:
    return {"guardrail_name": "no_advice", "guardrail_prompt": "No advice", **fields}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "Empty"}, "data is required"),
        ({"data": []}, "data must be a non-empty list of guardrails"),
        ({"data": [{"guardrail_prompt": "p"}]}, "guardrail_name is required"),
        (
            {"data": [_guardrail(guardrail_name="no advice")]},
            "guardrail_name may only contain letters, digits and underscores",
        ),
        (
            {"data": [_guardrail(guardrail_name="no-advice")]},
            "guardrail_name may only contain letters, digits and underscores",
        ),
        (
            {"data": [_guardrail(guardrail_name="g" * 101)]},
            "guardrail_name must be at most 100 characters",
        ),
        ({"data": [_guardrail(guardrail_prompt=None)]}, "guardrail_prompt is required"),
        (
            {"data": [_guardrail(guardrail_prompt="p" * 1001)]},
            "guardrail_prompt must be at most 1000 characters",
        ),
        (
            {"data": [_guardrail(modality="conversational")]},
            "modality must be one of: verbal, visual",
        ),
        ({"data": [_guardrail(callback_url="ftp://x")]}, "Invalid callback_url"),
        ({"data": [_guardrail(), _guardrail()]}, "Duplicate guardrail_name: no_advice"),
        (
            {"data": [{"guardrail_name": "x", "guardrails_prompt": "tavus-api.md's spelling"}]},
            "Unknown field: data[0].guardrails_prompt",
        ),
        ({"name": 3, "data": [_guardrail()]}, "name must be a string"),
        ({"guardrails_name": "x", "data": [_guardrail()]}, "Unknown field: guardrails_name"),
    ],
)
async def test_create_refuses_as_the_spec_and_notes_say(
    sandbox: Sandbox, body: dict[str, Any], message: str
) -> None:
    response = await sandbox.client.post("/v2/guardrails", json=body)

    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert sandbox.state.guardrails == {}


async def test_names_of_100_letters_digits_and_underscores_pass(sandbox: Sandbox) -> None:
    name = "A_9" + "x" * 97

    await create_guardrails(sandbox, _guardrail(guardrail_name=name, guardrail_prompt="p" * 1000))


async def test_patch_by_data_path_flat_path_and_the_set_name(sandbox: Sandbox) -> None:
    guardrails_id = await create_guardrails(sandbox, *COMPLIANCE)

    response = await _patch(
        sandbox,
        guardrails_id,
        {"op": "replace", "path": "/name", "value": "Clinic"},
        {"op": "replace", "path": "/guardrail_prompt", "value": "No diagnoses"},
        {"op": "add", "path": "/data/1/callback_url", "value": "https://hooks.example.com/g"},
    )

    assert response.json() == {"message": "Guardrails updated successfully"}
    found = await _get(sandbox, guardrails_id)
    assert found["name"] == "Clinic"
    assert found["data"][0]["guardrail_prompt"] == "No diagnoses"
    assert found["data"][1]["callback_url"] == "https://hooks.example.com/g"


async def test_patch_refusals(sandbox: Sandbox) -> None:
    guardrails_id = await create_guardrails(sandbox, *COMPLIANCE)
    before = await _get(sandbox, guardrails_id)

    same = await _patch(
        sandbox, guardrails_id, {"op": "replace", "path": "/name", "value": "Compliance"}
    )
    bad = await _patch(sandbox, guardrails_id, {"op": "replace", "path": "/data/5", "value": {}})
    stamp = await _patch(sandbox, guardrails_id, {"op": "remove", "path": "/created_at"})
    invalid = await _patch(
        sandbox, guardrails_id, {"op": "replace", "path": "/guardrail_name", "value": "no way"}
    )

    assert same.status_code == 304
    assert bad.status_code == 422
    assert stamp.json() == {"error": "Cannot modify created_at"}
    assert invalid.json() == {
        "error": "guardrail_name may only contain letters, digits and underscores"
    }
    assert await _get(sandbox, guardrails_id) == before


async def test_delete_is_204_then_404(sandbox: Sandbox) -> None:
    guardrails_id = await create_guardrails(sandbox)

    deleted = await sandbox.client.delete(f"/v2/guardrails/{guardrails_id}")
    fetched = await sandbox.client.get(f"/v2/guardrails/{guardrails_id}")

    assert deleted.status_code == 204
    assert fetched.status_code == 404


def test_a_guardrail_uuid_is_stable_and_distinct() -> None:
    first = guardrail_uuid("g1", "no_advice")

    assert first == guardrail_uuid("g1", "no_advice")
    assert first != guardrail_uuid("g1", "no_id_cards")
    assert first != guardrail_uuid("g2", "no_advice")
    assert len(first) == 36
