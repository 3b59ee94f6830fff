"""/v2/objectives: a set of objectives created at once, read in either shape, JSON-patched."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.sandbox.objectives import completion_order, sample_value
from tests.sandbox.conftest import Sandbox, StartSandbox, create_objectives

INTAKE = [
    {
        "objective_name": "ask_if_new_patient",
        "objective_prompt": "Ask the patient if they are new or have been here before",
        "output_variables": ["patient_status"],
        "next_required_objective": "get_patient_name",
        "callback_url": "https://hooks.example.com/objectives",
    },
    {
        "objective_name": "get_patient_name",
        "objective_prompt": "Ask for the patient's full name",
        "confirmation_mode": "manual",
        "output_variables": ["first_name", "last_name"],
        "modality": "verbal",
    },
]


async def _get(sandbox: Sandbox, objectives_id: str) -> dict[str, Any]:
    response = await sandbox.client.get(f"/v2/objectives/{objectives_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _patch(sandbox: Sandbox, objectives_id: str, *operations: dict[str, Any]) -> Any:
    return await sandbox.client.patch(f"/v2/objectives/{objectives_id}", json=list(operations))


async def test_create_answers_the_specs_shape(sandbox: Sandbox) -> None:
    response = await sandbox.client.post("/v2/objectives", json={"data": INTAKE})

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"objectives_id", "objective_name", "status", "created_at"}
    assert body["objectives_id"].startswith("o")
    assert (body["objective_name"], body["status"]) == ("ask_if_new_patient", "active")
    assert body["created_at"].endswith("Z")


async def test_get_answers_the_set_its_data_a_list_with_defaults_filled(sandbox: Sandbox) -> None:
    objectives_id = await create_objectives(sandbox, *INTAKE)

    found = await _get(sandbox, objectives_id)

    assert found["objectives_id"] == objectives_id
    first, second = found["data"]
    assert first == {**INTAKE[0], "confirmation_mode": "auto", "modality": "verbal"}
    assert second == INTAKE[1]
    assert found["created_at"] == found["updated_at"]


async def test_get_can_answer_the_specs_object(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(objectives_get_shape="object")
    objectives_id = await create_objectives(sandbox, *INTAKE)

    as_object = await _get(sandbox, objectives_id)
    sandbox.state.configure(objectives_get_shape="list")
    as_list = await _get(sandbox, objectives_id)

    assert as_object == {**as_list, "data": as_list["data"][0]}
    assert as_object["data"]["objective_name"] == "ask_if_new_patient"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_unknown_ids_are_404_and_malformed_ones_400(sandbox: Sandbox, method: str) -> None:
    unknown = await sandbox.client.request(method, "/v2/objectives/o000000000000", json=[])
    malformed = await sandbox.client.request(method, "/v2/objectives/not-an-id", json=[])

    assert (unknown.status_code, unknown.json()) == (404, {"error": "Objective not found"})
    assert (malformed.status_code, malformed.json()) == (400, {"error": "Invalid objectives_id"})


async def test_list_is_newest_first_with_pages_from_one(sandbox: Sandbox) -> None:
    ids = [
        await create_objectives(sandbox, {"objective_name": f"o{i}", "objective_prompt": "p"})
        for i in range(3)
    ]

    first = (await sandbox.client.get("/v2/objectives", params={"limit": 2})).json()
    second = (await sandbox.client.get("/v2/objectives", params={"limit": 2, "page": 2})).json()

    assert first["total_count"] == 3
    assert [s["objectives_id"] for s in first["data"] + second["data"]] == ids[::-1]
    assert first["data"][0]["data"][0]["objective_name"] == "o2"


def _objective(**fields: Any) -> dict[str, Any]:
    return {"objective_name": "greet", "objective_prompt": "Say hello", **fields}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "data is required"),
        ({"data": []}, "data must be a non-empty list of objectives"),
        ({"data": ["greet"]}, "data[0] must be an object"),
        ({"data": [{"objective_prompt": "p"}]}, "objective_name is required"),
        ({"data": [_objective(objective_name="say hi")]}, "objective_name must not contain spaces"),
        ({"data": [_objective(objective_prompt="")]}, "objective_prompt is required"),
        (
            {"data": [_objective(confirmation_mode="automatic")]},
            "confirmation_mode must be one of: auto, manual",
        ),
        (
            {"data": [_objective(modality="conversational")]},
            "modality must be one of: verbal, visual",
        ),
        ({"data": [_objective(output_variables="name")]}, "output_variables must be a list"),
        ({"data": [_objective(callback_url="hooks.example.com")]}, "Invalid callback_url"),
        (
            {"data": [_objective(next_required_objective="missing")]},
            "No other objective named missing in data",
        ),
        (
            {"data": [_objective(next_required_objective="greet")]},
            "No other objective named greet in data",
        ),
        (
            {"data": [_objective(next_conditional_objectives={"missing": "if asked"})]},
            "No other objective named missing in data",
        ),
        (
            {"data": [_objective(next_conditional_objectives=["x"])]},
            "next_conditional_objectives must map objective names to conditions",
        ),
        ({"data": [_objective(), _objective()]}, "Duplicate objective_name: greet"),
        (
            {"data": [_objective(next_required_objectives=["x"])]},
            "Unknown field: data[0].next_required_objectives",
        ),
        ({"data": [_objective()], "name": "Intake"}, "Unknown field: name"),
    ],
)
async def test_create_refuses_as_the_spec_says(
    sandbox: Sandbox, body: dict[str, Any], message: str
) -> None:
    response = await sandbox.client.post("/v2/objectives", json=body)

    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert sandbox.state.objectives == {}


async def test_patch_by_each_path_spelling(sandbox: Sandbox) -> None:
    objectives_id = await create_objectives(sandbox, *INTAKE)

    by_data = await _patch(
        sandbox,
        objectives_id,
        {"op": "replace", "path": "/data/1/confirmation_mode", "value": "auto"},
        {"op": "add", "path": "/data/1/output_variables/-", "value": "date_of_birth"},
    )
    flat = await _patch(
        sandbox,
        objectives_id,
        {"op": "replace", "path": "/objective_prompt", "value": "Ask if they are new"},
        {"op": "remove", "path": "/callback_url"},
    )
    as_object = await _patch(
        sandbox, objectives_id, {"op": "add", "path": "/data/modality", "value": "visual"}
    )

    assert by_data.json() == {"message": "Objective updated successfully"}
    assert flat.status_code == as_object.status_code == 200
    first, second = (await _get(sandbox, objectives_id))["data"]
    assert first["modality"] == "visual"
    assert second["confirmation_mode"] == "auto"
    assert second["output_variables"] == ["first_name", "last_name", "date_of_birth"]
    assert first["objective_prompt"] == "Ask if they are new"
    assert "callback_url" not in first


async def test_patch_answers_304_422_and_400_as_personas_do(sandbox: Sandbox) -> None:
    objectives_id = await create_objectives(sandbox, *INTAKE)
    before = await _get(sandbox, objectives_id)

    same = await _patch(
        sandbox, objectives_id, {"op": "replace", "path": "/data/0/modality", "value": "verbal"}
    )
    missing = await _patch(
        sandbox, objectives_id, {"op": "replace", "path": "/data/1/callback_url", "value": "x"}
    )
    read_only = await _patch(
        sandbox, objectives_id, {"op": "replace", "path": "/objectives_id", "value": "o1"}
    )
    invalid = await _patch(
        sandbox,
        objectives_id,
        {"op": "replace", "path": "/data/0/confirmation_mode", "value": "automatic"},
    )
    broken_link = await _patch(sandbox, objectives_id, {"op": "remove", "path": "/data/1"})

    assert same.status_code == 304
    assert (missing.status_code, missing.json()) == (422, {"message": "Invalid JSON patch format"})
    assert (read_only.status_code, read_only.json()) == (
        400,
        {"error": "Cannot modify objectives_id"},
    )
    assert invalid.json() == {"error": "confirmation_mode must be one of: auto, manual"}
    assert broken_link.json() == {"error": "No other objective named get_patient_name in data"}
    assert await _get(sandbox, objectives_id) == before


async def test_a_patch_moves_updated_at(sandbox: Sandbox) -> None:
    objectives_id = await create_objectives(sandbox, *INTAKE)

    await _patch(
        sandbox, objectives_id, {"op": "add", "path": "/data/1/modality", "value": "visual"}
    )

    found = await _get(sandbox, objectives_id)
    assert found["data"][1]["modality"] == "visual"
    assert found["updated_at"] > found["created_at"]


async def test_delete_is_204_then_404(sandbox: Sandbox) -> None:
    objectives_id = await create_objectives(sandbox)

    deleted = await sandbox.client.delete(f"/v2/objectives/{objectives_id}")
    fetched = await sandbox.client.get(f"/v2/objectives/{objectives_id}")

    assert deleted.status_code == 204
    assert fetched.status_code == 404


# What a call completes


def _named(*names: str, **links: Any) -> list[dict[str, Any]]:
    return [
        {"objective_name": name, "output_variables": [], **links.get(name, {})} for name in names
    ]


def test_completion_follows_next_required_objective_from_each_head() -> None:
    objectives = _named(
        "b",
        "a",
        "c",
        "solo",
        a={"next_required_objective": "b"},
        b={"next_required_objective": "c"},
    )

    order = [o["objective_name"] for o in completion_order(objectives)]

    assert order == ["a", "b", "c", "solo"]


def test_only_the_first_conditional_branch_completes() -> None:
    objectives = _named(
        "ask",
        "yes_path",
        "no_path",
        ask={"next_conditional_objectives": {"yes_path": "if yes", "no_path": "if no"}},
    )

    assert [o["objective_name"] for o in completion_order(objectives)] == ["ask", "yes_path"]


def test_a_loop_completes_each_objective_once() -> None:
    objectives = _named(
        "a", "b", a={"next_required_objective": "b"}, b={"next_required_objective": "a"}
    )

    assert [o["objective_name"] for o in completion_order(objectives)] == ["a", "b"]


def test_sample_values_fit_the_variable_names() -> None:
    assert sample_value("email_address") == "jordan.lee@example.com"
    assert sample_value("first_name") == "Jordan"
    assert sample_value("patient_name") == "Jordan Lee"
    assert sample_value("appointment_date") == date.today().isoformat()
    assert sample_value("is_new_patient") == "yes"
    assert sample_value("favourite_colour") == "sample favourite colour"
