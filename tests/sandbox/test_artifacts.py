"""What comes after the shutdown: transcript, perception, recordings, post-call actions."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from tests.sandbox.conftest import Sandbox, StartSandbox

SHUTDOWN = "system.shutdown"
TRANSCRIPT = "application.transcription_ready"
ANALYSIS = "application.perception_analysis"
UNAVAILABLE = "application.perception_unavailable"
RECORDING = "application.recording_ready"
COPY_FAILED = "application.recording_copy_failed"
POST_CALL = "application.post_call_action_executed"
RECORDING_KEYS = ("bucket_name", "s3_key", "duration", "storage_provider")
ACTIONS = [
    {"tool_name": "crm_update", "status": "success", "request": {"id": 7}, "response": "ok"},
    {"tool_name": "send_email", "status": "failed", "request": {"to": "x"}, "response": None},
]


async def _quiet(start_sandbox: StartSandbox, **options: Any) -> Sandbox:
    """A sandbox whose replica has not joined yet, so the events are the end's alone."""
    sandbox: Sandbox = await start_sandbox(joined_delay=30, **options)
    return sandbox


async def _ended(sandbox: Sandbox, **fields: Any) -> list[dict[str, Any]]:
    body = {"persona_id": SEED_PERSONA_ID, **fields}
    conversation_id = (await sandbox.client.post("/v2/conversations", json=body)).json()[
        "conversation_id"
    ]
    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")
    events: list[dict[str, Any]] = sandbox.state.conversations[conversation_id].events
    return events


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [e["event_type"] for e in events]


async def _persona(sandbox: Sandbox, perception_model: str) -> str:
    persona = {
        "persona_name": "Blind",
        "system_prompt": "You cannot see.",
        "default_replica_id": SEED_REPLICA_ID,
        "layers": {"perception": {"perception_model": perception_model}},
    }
    persona_id: str = (await sandbox.client.post("/v2/personas", json=persona)).json()["persona_id"]
    return persona_id


async def test_perception_off_sends_neither_perception_event(start_sandbox: StartSandbox) -> None:
    sandbox = await _quiet(start_sandbox, perception_unavailable="summary_error")
    persona_id = await _persona(sandbox, "off")

    events = await _ended(sandbox, persona_id=persona_id)

    assert _types(events) == [SHUTDOWN, TRANSCRIPT]


async def test_perception_on_sends_the_analysis(start_sandbox: StartSandbox) -> None:
    sandbox = await _quiet(start_sandbox)
    persona_id = await _persona(sandbox, "raven-1")

    events = await _ended(sandbox, persona_id=persona_id)

    assert _types(events) == [SHUTDOWN, TRANSCRIPT, ANALYSIS]


@pytest.mark.parametrize("reason", ["no_vision_history", "empty_summary", "summary_error"])
async def test_perception_unavailable_replaces_the_analysis(
    start_sandbox: StartSandbox, reason: str
) -> None:
    sandbox = await _quiet(start_sandbox, perception_unavailable=reason)

    events = await _ended(sandbox)

    assert _types(events) == [SHUTDOWN, TRANSCRIPT, UNAVAILABLE]
    assert events[2]["properties"] == {"reason": reason}
    assert events[2]["message_type"] == "application"


async def test_recording_ready_follows_the_perception_when_enabled(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await _quiet(start_sandbox)

    events = await _ended(sandbox, properties={"enable_recording": True})

    assert _types(events) == [SHUTDOWN, TRANSCRIPT, ANALYSIS, RECORDING]
    recording = events[3]["properties"]
    assert set(recording) == {*RECORDING_KEYS, "storage_uri"}
    assert recording["storage_provider"] == "s3"
    assert recording["s3_key"].endswith(".mp4")
    assert recording["storage_uri"] == f"s3://{recording['bucket_name']}/{recording['s3_key']}"
    assert isinstance(recording["duration"], int) and recording["duration"] >= 1


@pytest.mark.parametrize(
    ("storage", "uri_start"),
    [
        ({"provider": "gcs", "bucket_name": "calls"}, "gs://calls/"),
        (
            {"provider": "azure_blob", "storage_account": "acct", "container": "calls"},
            "https://acct.blob.core.windows.net/calls/",
        ),
    ],
)
async def test_recording_names_the_configured_storage(
    start_sandbox: StartSandbox, storage: dict[str, str], uri_start: str
) -> None:
    sandbox = await _quiet(start_sandbox)
    properties = {"enable_recording": True, "recording_storage": storage}

    events = await _ended(sandbox, properties=properties)
    [recording] = [e for e in events if e["event_type"] == RECORDING]
    assert recording["properties"]["storage_provider"] == storage["provider"]
    assert recording["properties"]["bucket_name"] == "calls"
    assert recording["properties"]["storage_uri"].startswith(uri_start)


async def test_no_recording_without_enable_recording(start_sandbox: StartSandbox) -> None:
    sandbox = await _quiet(start_sandbox, recordings=2)

    events = await _ended(sandbox, properties={"enable_recording": False})

    assert RECORDING not in _types(events)


async def test_two_recordings_have_different_keys(start_sandbox: StartSandbox) -> None:
    sandbox = await _quiet(start_sandbox, recordings=2)

    events = await _ended(sandbox, properties={"enable_recording": True})

    recordings = [e["properties"] for e in events if e["event_type"] == RECORDING]
    assert len(recordings) == 2
    assert recordings[0]["s3_key"] != recordings[1]["s3_key"]


async def test_recording_copy_failed_replaces_the_recording(start_sandbox: StartSandbox) -> None:
    sandbox = await _quiet(start_sandbox, recording_copy_failed=True)

    events = await _ended(sandbox, properties={"enable_recording": True})

    assert _types(events) == [SHUTDOWN, TRANSCRIPT, ANALYSIS, COPY_FAILED]
    failed = events[3]["properties"]
    assert set(failed) == {
        "recording_id",
        "s3_key",
        "duration",
        "storage_provider",
        "error_code",
        "error_message",
    }
    assert failed["error_code"] and failed["error_message"]


async def test_post_call_actions_come_last_with_their_status(start_sandbox: StartSandbox) -> None:
    sandbox = await _quiet(start_sandbox, post_call_actions=ACTIONS)

    events = await _ended(sandbox)

    assert _types(events) == [SHUTDOWN, TRANSCRIPT, ANALYSIS, POST_CALL, POST_CALL]
    assert [e["properties"] for e in events[3:]] == ACTIONS


async def test_deleted_room_leaves_nothing_behind(start_sandbox: StartSandbox) -> None:
    sandbox = await _quiet(start_sandbox, post_call_actions=ACTIONS)
    body = {"persona_id": SEED_PERSONA_ID, "properties": {"enable_recording": True}}
    conversation_id = (await sandbox.client.post("/v2/conversations", json=body)).json()[
        "conversation_id"
    ]

    await sandbox.client.delete(f"/v2/conversations/{conversation_id}")

    assert _types(sandbox.state.conversations[conversation_id].events) == [SHUTDOWN]
