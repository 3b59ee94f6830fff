from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import SEED_ECHO_PERSONA_ID, SEED_PERSONA_ID, SEED_REPLICA_ID
from tests.sandbox.conftest import (
    Sandbox,
    create_dictionary,
    create_document,
    create_guardrails,
    create_objectives,
)

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


# Every field, layers and references


FULL_LAYERS: dict[str, Any] = {
    "perception": {
        "perception_model": "raven-1",
        "visual_awareness_queries": ["Is the user showing an ID card?"],
        "visual_tool_prompt": "Use notify_if_id_shown when you see an ID.",
        "visual_tools": [{"type": "function", "function": {"name": "notify_if_id_shown"}}],
        "audio_awareness_queries": ["Does the user sound frustrated?"],
        "audio_tool_prompt": "Escalate when frustrated.",
        "audio_tools": [{"type": "function", "function": {"name": "escalate_to_human"}}],
    },
    "stt": {"stt_engine": "tavus-parakeet", "hotwords": "Roey"},
    "conversational_flow": {
        "turn_detection_model": "sparrow-1",
        "turn_taking_patience": "high",
        "replica_interruptibility": "low",
        "voice_isolation": "off",
        "wake_phrase": "Hey Tavus",
        "idle_engagement": "eager",
    },
    "llm": {
        "model": "tavus-gpt-oss",
        "base_url": "https://llm.example.com/v1",
        "api_key": "sk-test",
        "speculative_inference": False,
        "tools": [{"type": "function", "function": {"name": "lookup"}}],
        "headers": {"x-team": "sales"},
        "extra_body": {"temperature": 0.3},
    },
    "tts": {
        "api_key": "tts-key",
        "tts_engine": "elevenlabs",
        "external_voice_id": "voice-1",
        "voice_settings": {"speed": 1.1},
        "tts_emotion_control": False,
        "tts_model_name": "eleven_turbo_v2",
    },
}


async def _get(sandbox: Sandbox, persona_id: str) -> dict[str, Any]:
    response = await sandbox.client.get(f"/v2/personas/{persona_id}")
    assert response.status_code == 200, response.text
    [persona] = response.json()["data"]
    return dict(persona)


async def _patch(sandbox: Sandbox, persona_id: str, *operations: dict[str, Any]) -> Any:
    return await sandbox.client.patch(f"/v2/personas/{persona_id}", json=list(operations))


async def test_create_keeps_every_field_the_spec_lists(sandbox: Sandbox) -> None:
    objectives_id = await create_objectives(sandbox)
    guardrails_id = await create_guardrails(sandbox)
    document_id = await create_document(sandbox, tags=["pricing"])
    dictionary_id = await create_dictionary(sandbox)
    layers = {
        **FULL_LAYERS,
        "tts": {**FULL_LAYERS["tts"], "pronunciation_dictionary_id": dictionary_id},
    }
    fields = {
        "pipeline_mode": "full",
        "context": "Weekly coaching.",
        "default_replica_id": SEED_REPLICA_ID,
        "document_ids": [document_id],
        "document_tags": ["pricing"],
        "objectives_id": objectives_id,
        "guardrails_id": guardrails_id,
        "guardrail_ids": [guardrails_id],
        "guardrail_tags": ["compliance"],
        "layers": layers,
    }

    persona = await _get(sandbox, await _create(sandbox, **fields))

    assert {key: persona[key] for key in fields} == fields
    assert persona["persona_type"] == "user"
    assert persona["created_at"] == persona["updated_at"]


async def test_optional_fields_default_as_tavus_shows_them(sandbox: Sandbox) -> None:
    persona = await _get(sandbox, await _create(sandbox))

    assert persona["document_ids"] == [] and persona["document_tags"] == []
    assert persona["objectives_id"] is None and persona["guardrails_id"] is None
    assert persona["layers"] == {} and persona["pipeline_mode"] == "full"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"guardrail_id": "g1"}, "Unknown field: guardrail_id"),
        ({"document_ids": "d1"}, "document_ids must be a list of strings"),
        ({"context": 3}, "context must be a string"),
        ({"layers": []}, "layers must be an object"),
        ({"layers": {"vision": {}}}, "Unknown layer: vision"),
        ({"layers": {"stt": "fast"}}, "layers.stt must be an object"),
        (
            {"layers": {"perception": {"perception_model": "raven-2"}}},
            "layers.perception.perception_model must be one of: raven-1, raven-0, off",
        ),
        (
            {"layers": {"stt": {"stt_engine": "whisper"}}},
            "layers.stt.stt_engine must be one of",
        ),
        (
            {"layers": {"conversational_flow": {"turn_taking_patience": "extreme"}}},
            "layers.conversational_flow.turn_taking_patience must be one of: low, medium, high",
        ),
        (
            {"layers": {"conversational_flow": {"voice_isolation": "far"}}},
            "layers.conversational_flow.voice_isolation must be one of: off, near",
        ),
        (
            {"layers": {"conversational_flow": {"idle_engagement": "pushy"}}},
            "layers.conversational_flow.idle_engagement must be one of: off, patient, eager",
        ),
        (
            {"layers": {"conversational_flow": {"turn_detection_model": "sparrow-2"}}},
            "layers.conversational_flow.turn_detection_model must be one of",
        ),
        (
            {"layers": {"tts": {"tts_engine": "polly"}}},
            "layers.tts.tts_engine must be one of: cartesia, elevenlabs",
        ),
        (
            {"layers": {"tts": {"tts_emotion_control": "true"}}},
            "layers.tts.tts_emotion_control must be a boolean",
        ),
        (
            {"layers": {"llm": {"speculative_inference": 1}}},
            "layers.llm.speculative_inference must be a boolean",
        ),
        ({"layers": {"llm": {"headers": ["x"]}}}, "layers.llm.headers must be an object"),
        (
            {"layers": {"perception": {"visual_awareness_queries": "ID?"}}},
            "layers.perception.visual_awareness_queries must be a list of strings",
        ),
        (
            {"layers": {"perception": {"perception_model": "raven-0", "audio_tools": []}}},
            "layers.perception.audio_tools is only available with raven-1",
        ),
    ],
)
async def test_create_checks_fields_and_layers(
    sandbox: Sandbox, fields: dict[str, Any], error: str
) -> None:
    response = await sandbox.client.post("/v2/personas", json={**NEW_PERSONA, **fields})

    assert response.status_code == 400
    assert response.json()["error"].startswith(error)
    assert len(sandbox.state.personas) == 3  # the seeded ones only


async def test_a_setting_the_spec_does_not_list_is_kept(sandbox: Sandbox) -> None:
    layers = {"stt": {"participant_pause_sensitivity": "high"}, "llm": {"model": None}}

    persona = await _get(sandbox, await _create(sandbox, layers=layers))

    assert persona["layers"] == layers


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"objectives_id": "o000000000000"}, "Invalid objectives_id"),
        ({"guardrails_id": "g000000000000"}, "Invalid guardrails_id"),
        ({"guardrail_ids": ["g000000000000"]}, "Invalid guardrail_ids: g000000000000"),
        ({"document_ids": ["d0-000000000000"]}, "Invalid document_ids: d0-000000000000"),
        ({"document_tags": ["nobody-has-it"]}, "Invalid document_tags: nobody-has-it"),
        (
            {"layers": {"tts": {"pronunciation_dictionary_id": "pd_00000000000000"}}},
            "Invalid pronunciation_dictionary_id",
        ),
    ],
)
async def test_create_refuses_references_to_nothing(
    sandbox: Sandbox, fields: dict[str, Any], error: str
) -> None:
    await create_document(sandbox, tags=["pricing"])  # a tag exists, just not that one

    response = await sandbox.client.post("/v2/personas", json={**NEW_PERSONA, **fields})

    assert response.status_code == 400
    assert response.json() == {"error": error}


# PATCH semantics


async def test_replace_needs_an_existing_path_and_add_creates_it(sandbox: Sandbox) -> None:
    persona_id = await _create(sandbox)
    operation = {"path": "/layers/llm", "value": {"model": "tavus-gpt-oss"}}

    replaced = await _patch(sandbox, persona_id, {"op": "replace", **operation})
    added = await _patch(sandbox, persona_id, {"op": "add", **operation})

    assert (replaced.status_code, replaced.json()) == (
        422,
        {"message": "Invalid JSON patch format"},
    )
    assert added.status_code == 200
    assert (await _get(sandbox, persona_id))["layers"] == {"llm": {"model": "tavus-gpt-oss"}}


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "add", "path": "/context"},
        {"op": "replace", "path": "/context"},
        {"op": "test", "path": "/persona_name", "value": "Someone else"},
        {"op": "move", "path": "/context"},
        {"op": "remove", "path": "/layers/stt/hotwords"},
    ],
)
async def test_value_from_and_paths_are_required_as_rfc_6902_says(
    sandbox: Sandbox, operation: dict[str, Any]
) -> None:
    persona_id = await _create(sandbox)
    before = await _get(sandbox, persona_id)

    response = await _patch(sandbox, persona_id, operation)

    assert response.status_code == 422
    assert await _get(sandbox, persona_id) == before


async def test_test_copy_and_move_operations(sandbox: Sandbox) -> None:
    persona_id = await _create(sandbox, context="Old context", layers={"stt": {"hotwords": "Roey"}})

    response = await _patch(
        sandbox,
        persona_id,
        {"op": "test", "path": "/persona_name", "value": "Life Coach"},
        {"op": "copy", "from": "/context", "path": "/system_prompt"},
        {"op": "move", "from": "/layers/stt/hotwords", "path": "/context"},
    )

    assert response.status_code == 200, response.text
    persona = await _get(sandbox, persona_id)
    assert (persona["system_prompt"], persona["context"]) == ("Old context", "Roey")
    assert persona["layers"] == {"stt": {}}


@pytest.mark.parametrize("field", ["persona_type", "created_at", "updated_at"])
async def test_read_only_fields_are_refused(sandbox: Sandbox, field: str) -> None:
    persona_id = await _create(sandbox)

    response = await _patch(
        sandbox, persona_id, {"op": "replace", "path": f"/{field}", "value": "x"}
    )

    assert response.status_code == 400
    assert response.json() == {"error": f"Cannot modify {field}"}


async def test_the_whole_document_cannot_be_replaced(sandbox: Sandbox) -> None:
    persona_id = await _create(sandbox)

    response = await _patch(
        sandbox, persona_id, {"op": "replace", "path": "", "value": {"persona_name": "X"}}
    )

    assert response.status_code == 400
    assert (await _get(sandbox, persona_id))["persona_name"] == "Life Coach"


@pytest.mark.parametrize(
    ("operation", "error"),
    [
        ({"op": "remove", "path": "/persona_name"}, "persona_name is required"),
        ({"op": "add", "path": "/favorite", "value": 1}, "Unknown field: favorite"),
        (
            {"op": "add", "path": "/layers/tts", "value": {"tts_engine": "polly"}},
            "layers.tts.tts_engine must be one of: cartesia, elevenlabs",
        ),
        ({"op": "replace", "path": "/objectives_id", "value": "o123"}, "Invalid objectives_id"),
    ],
)
async def test_a_patch_leaving_an_invalid_persona_is_refused_and_changes_nothing(
    sandbox: Sandbox, operation: dict[str, Any], error: str
) -> None:
    persona_id = await _create(sandbox)
    before = await _get(sandbox, persona_id)

    response = await _patch(sandbox, persona_id, operation)

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert await _get(sandbox, persona_id) == before


async def test_patch_attaches_objectives_guardrails_and_documents(sandbox: Sandbox) -> None:
    persona_id = await _create(sandbox)
    objectives_id = await create_objectives(sandbox)
    guardrails_id = await create_guardrails(sandbox)
    document_id = await create_document(sandbox)

    response = await _patch(
        sandbox,
        persona_id,
        {"op": "replace", "path": "/objectives_id", "value": objectives_id},
        {"op": "replace", "path": "/guardrails_id", "value": guardrails_id},
        {"op": "add", "path": "/document_ids/-", "value": document_id},
    )

    assert response.status_code == 200
    persona = await _get(sandbox, persona_id)
    assert (persona["objectives_id"], persona["guardrails_id"]) == (objectives_id, guardrails_id)
    assert persona["document_ids"] == [document_id]
    assert persona["updated_at"] > persona["created_at"]


async def test_a_reference_deleted_since_does_not_block_other_edits(sandbox: Sandbox) -> None:
    document_id = await create_document(sandbox)
    persona_id = await _create(sandbox, document_ids=[document_id])
    await sandbox.client.delete(f"/v2/documents/{document_id}")

    renamed = await _patch(
        sandbox, persona_id, {"op": "replace", "path": "/persona_name", "value": "Mentor"}
    )
    another = await _patch(
        sandbox, persona_id, {"op": "add", "path": "/document_ids/-", "value": "d0-000000000000"}
    )

    assert renamed.status_code == 200
    assert another.json() == {"error": "Invalid document_ids: d0-000000000000"}  # new: checked


async def test_deleting_a_dictionary_unsets_it_in_personas(sandbox: Sandbox) -> None:
    dictionary_id = await create_dictionary(sandbox)
    tts = {"tts_engine": "cartesia", "pronunciation_dictionary_id": dictionary_id}
    persona_id = await _create(sandbox, layers={"tts": tts})

    response = await sandbox.client.delete(f"/v2/pronunciation-dictionaries/{dictionary_id}")

    assert response.status_code == 204
    layers = (await _get(sandbox, persona_id))["layers"]
    assert layers == {"tts": {"tts_engine": "cartesia", "pronunciation_dictionary_id": None}}
