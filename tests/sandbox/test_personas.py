from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import SEED_ECHO_PERSONA_ID, SEED_PERSONA_ID, SEED_REPLICA_ID
from tests.sandbox.conftest import Sandbox

NEW_PERSONA = {"persona_name": "Life Coach", "system_prompt": "You coach people."}


async def _create(sandbox: Sandbox, **fields: Any) -> str:
    response = await sandbox.client.post("/v2/personas", json={**NEW_PERSONA, **fields})
    assert response.status_code == 200, response.text
    persona_id: str = response.json()["persona_id"]
    return persona_id


async def test_get_wraps_the_persona_in_a_data_list(sandbox: Sandbox) -> None:
    response = await sandbox.client.get(f"/v2/personas/{SEED_PERSONA_ID}")

    assert response.status_code == 200
    [persona] = response.json()["data"]
    assert persona["persona_name"] == "Tavus Researcher"
    assert persona["persona_type"] == "system"
    assert persona["default_replica_id"] == SEED_REPLICA_ID


async def test_get_unknown_persona_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v2/personas/p000000000000")

    assert response.status_code == 400
    assert response.json() == {"error": "Invalid persona_id"}


async def test_create_answers_id_name_and_created_at(sandbox: Sandbox) -> None:
    response = await sandbox.client.post("/v2/personas", json=NEW_PERSONA)

    body = response.json()
    assert set(body) == {"persona_id", "persona_name", "created_at"}
    assert body["persona_id"].startswith("p") and len(body["persona_id"]) == 13
    assert body["created_at"].endswith("Z")
    assert sandbox.state.personas[body["persona_id"]]["persona_type"] == "user"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"system_prompt": "x"}, "persona_name is required"),
        ({"persona_name": "No prompt"}, "system_prompt is required in full pipeline_mode"),
        ({**NEW_PERSONA, "default_replica_id": "rmissing"}, "Invalid replica_id"),
        ({**NEW_PERSONA, "pipeline_mode": "turbo"}, "pipeline_mode must be one of: full, echo"),
    ],
)
async def test_create_validates(sandbox: Sandbox, body: dict[str, Any], error: str) -> None:
    response = await sandbox.client.post("/v2/personas", json=body)

    assert response.status_code == 400
    assert response.json() == {"error": error}


async def test_echo_mode_needs_no_system_prompt(sandbox: Sandbox) -> None:
    await _create(sandbox, system_prompt=None, pipeline_mode="echo")


async def test_list_paginates_and_filters_by_type(sandbox: Sandbox) -> None:
    for index in range(3):
        await _create(sandbox, persona_name=f"Coach {index}")

    page = (await sandbox.client.get("/v2/personas", params={"limit": 2, "page": 2})).json()
    users = (await sandbox.client.get("/v2/personas", params={"persona_type": "user"})).json()

    assert page["total_count"] == 6
    assert len(page["data"]) == 2
    assert users["total_count"] == 3
    assert [p["persona_name"] for p in users["data"]] == ["Coach 2", "Coach 1", "Coach 0"]


async def test_invalid_page_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v2/personas", params={"page": 0})

    assert response.status_code == 400
    assert response.json() == {"error": "Invalid page"}


async def test_patch_applies_json_patch_operations(sandbox: Sandbox) -> None:
    persona_id = await _create(sandbox, layers={"stt": {"hotwords": "Tavus"}})
    operations = [
        {"op": "replace", "path": "/persona_name", "value": "Wellness Advisor"},
        {"op": "add", "path": "/default_replica_id", "value": SEED_REPLICA_ID},
        {"op": "add", "path": "/layers/llm", "value": {"model": "tavus-gpt-4o"}},
        {"op": "remove", "path": "/layers/stt/hotwords"},
    ]

    response = await sandbox.client.patch(f"/v2/personas/{persona_id}", json=operations)

    assert response.status_code == 200
    persona = sandbox.state.personas[persona_id]
    assert persona["persona_name"] == "Wellness Advisor"
    assert persona["default_replica_id"] == SEED_REPLICA_ID
    assert persona["layers"] == {"stt": {}, "llm": {"model": "tavus-gpt-4o"}}


async def test_patch_without_changes_is_304(sandbox: Sandbox) -> None:
    operations = [{"op": "replace", "path": "/persona_name", "value": "Life Coach"}]
    persona_id = await _create(sandbox)

    response = await sandbox.client.patch(f"/v2/personas/{persona_id}", json=operations)

    assert response.status_code == 304


@pytest.mark.parametrize(
    "operations",
    [{"op": "replace"}, [{"op": "remove", "path": "/nothing"}], [{"op": "jump", "path": "/x"}]],
)
async def test_bad_patch_is_422(sandbox: Sandbox, operations: Any) -> None:
    persona_id = await _create(sandbox)

    response = await sandbox.client.patch(f"/v2/personas/{persona_id}", json=operations)

    assert response.status_code == 422
    assert response.json() == {"message": "Invalid JSON patch format"}


async def test_patch_cannot_change_the_id(sandbox: Sandbox) -> None:
    persona_id = await _create(sandbox)
    operations = [{"op": "replace", "path": "/persona_id", "value": "pmine"}]

    response = await sandbox.client.patch(f"/v2/personas/{persona_id}", json=operations)

    assert response.status_code == 400
    assert persona_id in sandbox.state.personas


async def test_delete_is_204_and_then_gone(sandbox: Sandbox) -> None:
    persona_id = await _create(sandbox)

    deleted = await sandbox.client.delete(f"/v2/personas/{persona_id}")
    fetched = await sandbox.client.get(f"/v2/personas/{persona_id}")

    assert deleted.status_code == 204
    assert fetched.status_code == 400


async def test_system_personas_cannot_be_deleted(sandbox: Sandbox) -> None:
    response = await sandbox.client.delete(f"/v2/personas/{SEED_ECHO_PERSONA_ID}")

    assert response.status_code == 400
    assert SEED_ECHO_PERSONA_ID in sandbox.state.personas


async def test_without_seed_there_are_no_personas(start_sandbox: Any) -> None:
    sandbox = await start_sandbox(seed=False)

    response = await sandbox.client.get("/v2/personas")

    assert response.json() == {"data": [], "total_count": 0}
