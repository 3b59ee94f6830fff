from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from bot.sandbox import SEED_ECHO_PERSONA_ID, SEED_PERSONA_ID, SEED_REPLICA_2_ID, SEED_REPLICA_ID
from bot.sandbox.errors import REPLICA_NOT_READY
from bot.sandbox.state import SEED_SYSTEM_PROMPT
from tests.sandbox.conftest import Receiver, Sandbox, StartSandbox

END_EVENTS = [
    "system.shutdown",
    "application.transcription_ready",
    "application.perception_analysis",
]
CREATE_KEYS = {
    "conversation_id",
    "conversation_name",
    "conversation_url",
    "status",
    "callback_url",
    "created_at",
}


async def _create(sandbox: Sandbox, **fields: Any) -> dict[str, Any]:
    response = await sandbox.client.post(
        "/v2/conversations", json={"persona_id": SEED_PERSONA_ID, **fields}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_answers_the_newer_shape_without_persona_or_replica(
    sandbox: Sandbox,
) -> None:
    body = await _create(sandbox, conversation_name="Standup", callback_url="https://x.test/cb")

    assert set(body) == CREATE_KEYS
    assert re.fullmatch(r"c[0-9a-f]{12}", body["conversation_id"])
    assert body["conversation_url"] == f"https://tavus.daily.co/{body['conversation_id']}"
    assert body["status"] == "active"
    assert body["conversation_name"] == "Standup"
    assert body["callback_url"] == "https://x.test/cb"
    assert body["created_at"].endswith("Z")


async def test_get_still_names_the_persona_and_its_default_replica(sandbox: Sandbox) -> None:
    conversation_id = (await _create(sandbox))["conversation_id"]

    fetched = (await sandbox.client.get(f"/v2/conversations/{conversation_id}")).json()

    assert fetched["replica_id"] == SEED_REPLICA_ID
    assert fetched["persona_id"] == SEED_PERSONA_ID


async def test_explicit_replica_overrides_the_persona_default(sandbox: Sandbox) -> None:
    conversation_id = (await _create(sandbox, replica_id=SEED_REPLICA_2_ID))["conversation_id"]

    fetched = (await sandbox.client.get(f"/v2/conversations/{conversation_id}")).json()

    assert fetched["replica_id"] == SEED_REPLICA_2_ID


async def test_require_auth_adds_a_meeting_token(sandbox: Sandbox) -> None:
    body = await _create(sandbox, require_auth=True)

    assert set(body) == CREATE_KEYS | {"meeting_token"}
    assert len(body["meeting_token"]) >= 20


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"persona_id": "pnothere"}, "Invalid persona_id"),
        ({"replica_id": "rnothere"}, "Invalid replica_id"),
        (
            {"persona_id": SEED_ECHO_PERSONA_ID},
            "replica_id is required when persona has no default replica",
        ),
        (
            {"properties": {"max_call_duration": 0}},
            "properties.max_call_duration must be a positive integer",
        ),
        (
            {"properties": {"max_call_duration": "60"}},
            "properties.max_call_duration must be a positive integer",
        ),
        (
            {"document_retrieval_strategy": "fastest"},
            "document_retrieval_strategy must be one of: speed, quality, balanced",
        ),
        ({"callback_url": "ftp://x"}, "Invalid callback_url"),
    ],
)
async def test_create_validates(sandbox: Sandbox, fields: dict[str, Any], error: str) -> None:
    response = await sandbox.client.post(
        "/v2/conversations", json={"persona_id": SEED_PERSONA_ID, **fields}
    )

    assert response.status_code == 400
    assert response.json() == {"error": error}


async def test_concurrency_cap_ignores_test_mode(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(max_concurrent=2)
    await _create(sandbox)
    await _create(sandbox)
    await _create(sandbox, test_mode=True)

    response = await sandbox.client.post("/v2/conversations", json={"persona_id": SEED_PERSONA_ID})

    assert response.status_code == 400
    assert response.json() == {"error": "User has reached maximum concurrent conversations"}


async def test_list_paginates_and_filters_by_status(sandbox: Sandbox) -> None:
    ids = [(await _create(sandbox))["conversation_id"] for _ in range(3)]
    await sandbox.client.post(f"/v2/conversations/{ids[0]}/end")

    page = (await sandbox.client.get("/v2/conversations", params={"limit": 2})).json()
    ended = (await sandbox.client.get("/v2/conversations", params={"status": "ended"})).json()

    assert page["total_count"] == 3
    assert [c["conversation_id"] for c in page["data"]] == [ids[2], ids[1]]
    assert ended["total_count"] == 1
    assert ended["data"][0]["conversation_id"] == ids[0]


async def test_replica_joins_after_joined_delay(sandbox: Sandbox, receiver: Receiver) -> None:
    body = await _create(sandbox, callback_url=receiver.url)
    assert receiver.payloads == []

    [joined] = await receiver.wait_for(1)

    assert joined == {
        "conversation_id": body["conversation_id"],
        "event_type": "system.replica_joined",
        "message_type": "system",
        "timestamp": joined["timestamp"],
        "webhook_url": receiver.url,
        "properties": {"replica_id": SEED_REPLICA_ID},
    }
    assert joined["timestamp"].endswith("Z")


async def test_test_mode_is_created_ended_and_stays_silent(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    body = await _create(sandbox, callback_url=receiver.url, test_mode=True)
    scheduled = set(sandbox.state.tasks)
    ended = await sandbox.client.post(f"/v2/conversations/{body['conversation_id']}/end")
    verbose = await sandbox.client.get(f"/v2/conversations/{body['conversation_id']}?verbose=1")
    await asyncio.sleep(0.2)

    assert body["status"] == "ended"
    assert scheduled == set()
    assert ended.status_code == 200
    assert verbose.json()["status"] == "ended"
    assert verbose.json()["events"] == []
    assert receiver.payloads == []


async def test_test_mode_leaves_the_concurrency_cap_alone(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(max_concurrent=1)
    await _create(sandbox, test_mode=True)
    await _create(sandbox)

    refused = await sandbox.client.post("/v2/conversations", json={"persona_id": SEED_PERSONA_ID})
    extra_test = await sandbox.client.post(
        "/v2/conversations", json={"persona_id": SEED_PERSONA_ID, "test_mode": True}
    )

    assert refused.status_code == 400
    assert extra_test.status_code == 200


async def test_end_sends_shutdown_transcript_and_analysis_in_order(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    body = await _create(
        sandbox, callback_url=receiver.url, conversational_context="Agenda: ship the sandbox."
    )
    await receiver.wait_for(1)

    response = await sandbox.client.post(f"/v2/conversations/{body['conversation_id']}/end")
    events = await receiver.wait_for(4)

    assert response.status_code == 200
    assert [e["event_type"] for e in events] == ["system.replica_joined", *END_EVENTS]
    shutdown, transcription, perception = events[1:]
    assert shutdown["properties"]["shutdown_reason"] == "end_conversation_endpoint_hit"
    assert [e["message_type"] for e in events[1:]] == ["system", "application", "application"]
    transcript = transcription["properties"]["transcript"]
    assert transcript[0]["role"] == "system"
    assert transcript[0]["content"].startswith(SEED_SYSTEM_PROMPT)
    assert {t["role"] for t in transcript[1:]} == {"user", "assistant"}
    assert any("Agenda: ship the sandbox." in t["content"] for t in transcript[1:])
    assert perception["properties"]["analysis"].count("\n\n") >= 2


async def test_verbose_get_returns_the_sent_envelopes_restamped(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    conversation_id = (await _create(sandbox, callback_url=receiver.url))["conversation_id"]
    await receiver.wait_for(1)
    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")
    sent = await receiver.wait_for(4)

    plain = (await sandbox.client.get(f"/v2/conversations/{conversation_id}")).json()
    verbose = (await sandbox.client.get(f"/v2/conversations/{conversation_id}?verbose=true")).json()

    assert "events" not in plain
    assert plain["status"] == "ended"
    assert [_without_timestamp(e) for e in verbose["events"]] == [
        _without_timestamp(e) for e in sent
    ]
    assert verbose["shutdown_reason"] == "end_conversation_endpoint_hit"
    for polled, called in zip(verbose["events"], sent, strict=True):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", called["timestamp"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", polled["timestamp"])
        assert polled["timestamp"] == called["timestamp"][:19] + "Z"


@pytest.mark.parametrize(
    ("style", "pattern"),
    [
        ("space", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}"),
        ("offset", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"),
    ],
)
async def test_verbose_timestamp_style_is_an_option(
    start_sandbox: StartSandbox, style: str, pattern: str
) -> None:
    sandbox = await start_sandbox(verbose_timestamps=style)
    conversation_id = (await _create(sandbox))["conversation_id"]
    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")

    verbose = (await sandbox.client.get(f"/v2/conversations/{conversation_id}?verbose=true")).json()
    stored = sandbox.state.conversations[conversation_id].events

    assert all(re.fullmatch(pattern, e["timestamp"]) for e in verbose["events"])
    assert [e["timestamp"] for e in verbose["events"]] != [e["timestamp"] for e in stored]


async def test_events_are_kept_without_a_callback_url(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(joined_delay=30)
    conversation_id = (await _create(sandbox))["conversation_id"]

    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")
    verbose = await sandbox.client.get(f"/v2/conversations/{conversation_id}?verbose=true")

    assert [e["event_type"] for e in verbose.json()["events"]] == END_EVENTS
    assert all(e["webhook_url"] is None for e in verbose.json()["events"])
    assert sandbox.state.callbacks_sent == []


async def test_injected_transcript_follows_the_system_prompt(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.state.next_transcript = [
        {"role": "user", "content": "Remind me to file the report."},
        {"role": "assistant", "content": "Noted: file the report."},
    ]
    conversation_id = (await _create(sandbox, callback_url=receiver.url))["conversation_id"]

    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")
    events = await receiver.wait_for(3)

    [transcription] = [e for e in events if e["event_type"] == END_EVENTS[1]]
    transcript = transcription["properties"]["transcript"]
    assert [(t["role"], t["content"]) for t in transcript] == [
        ("system", SEED_SYSTEM_PROMPT),
        ("user", "Remind me to file the report."),
        ("assistant", "Noted: file the report."),
    ]
    assert sandbox.state.next_transcript is None


async def test_max_duration_ends_the_call(start_sandbox: StartSandbox, receiver: Receiver) -> None:
    sandbox = await start_sandbox(max_duration_default=0.1, joined_delay=30)
    conversation_id = (await _create(sandbox, callback_url=receiver.url))["conversation_id"]

    events = await receiver.wait_for(3)

    assert [e["event_type"] for e in events] == END_EVENTS
    assert events[0]["properties"]["shutdown_reason"] == "max_call_duration reached"
    assert sandbox.state.conversations[conversation_id].status == "ended"


async def test_end_before_join_cancels_the_join(sandbox: Sandbox, receiver: Receiver) -> None:
    conversation_id = (await _create(sandbox, callback_url=receiver.url))["conversation_id"]

    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")
    await receiver.wait_for(3)
    await asyncio.sleep(0.1)

    assert [e["event_type"] for e in receiver.payloads] == END_EVENTS


async def test_end_unknown_conversation_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.client.post("/v2/conversations/c000000000000/end")

    assert response.status_code == 400
    assert response.json() == {"error": "Invalid conversation_id"}


async def test_delete_is_204_and_then_invalid(sandbox: Sandbox) -> None:
    conversation_id = (await _create(sandbox))["conversation_id"]

    deleted = await sandbox.client.delete(f"/v2/conversations/{conversation_id}")
    fetched = await sandbox.client.get(f"/v2/conversations/{conversation_id}")
    listed = (await sandbox.client.get("/v2/conversations")).json()

    assert deleted.status_code == 204
    assert fetched.status_code == 400
    assert listed["total_count"] == 0
    assert sandbox.state.conversations[conversation_id].status == "deleted"


async def test_unreachable_callback_url_is_logged_not_raised(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(joined_delay=30)
    conversation_id = (await _create(sandbox, callback_url="http://127.0.0.1:9/cb"))[
        "conversation_id"
    ]

    response = await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")
    async with asyncio.timeout(2):
        await asyncio.gather(*sandbox.state.tasks)

    assert response.status_code == 200
    assert [status for _, _, status in sandbox.state.callbacks_sent] == [None, None, None]


async def test_delete_of_an_active_call_sends_only_the_shutdown(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    conversation_id = (await _create(sandbox, callback_url=receiver.url))["conversation_id"]
    await receiver.wait_for(1)

    await sandbox.client.delete(f"/v2/conversations/{conversation_id}")
    events = await receiver.wait_for(2)
    await asyncio.sleep(0.1)

    assert [e["event_type"] for e in events] == ["system.replica_joined", "system.shutdown"]
    assert events[1]["properties"]["shutdown_reason"] == "daily_room_has_been_deleted"


def _without_timestamp(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "timestamp"}


async def test_a_replica_still_training_cannot_join_a_call(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(training_delay=60)
    training = {"train_video_url": "https://bucket.example/train.mp4"}
    replica_id = (await sandbox.client.post("/v2/replicas", json=training)).json()["replica_id"]

    response = await sandbox.client.post(
        "/v2/conversations", json={"persona_id": SEED_PERSONA_ID, "replica_id": replica_id}
    )

    assert response.status_code == 400
    assert response.json() == {"error": REPLICA_NOT_READY}
