"""The simulated call: who joins, when it ends, and how the end is worded."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from tests.sandbox.conftest import Receiver, Sandbox, StartSandbox

# time_scale 0.01: a 10 s Tavus timeout lasts 0.1 s here.
SCALED = {"time_scale": 0.01}


async def _create(sandbox: Sandbox, receiver: Receiver, **properties: int) -> str:
    body = {"persona_id": SEED_PERSONA_ID, "callback_url": receiver.url, "properties": properties}
    response = await sandbox.client.post("/v2/conversations", json=body)
    assert response.status_code == 200, response.text
    conversation_id: str = response.json()["conversation_id"]
    return conversation_id


async def _participant(sandbox: Sandbox, conversation_id: str, action: str) -> httpx.Response:
    return await sandbox.client.post(
        f"/_sandbox/conversations/{conversation_id}/participants/{action}"
    )


def _shutdown(events: list[dict[str, Any]]) -> dict[str, Any]:
    [shutdown] = [e for e in events if e["event_type"] == "system.shutdown"]
    return shutdown


async def test_pal_joined_option_sends_the_newer_event_name(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(pal_joined=True)
    await _create(sandbox, receiver)

    [joined] = await receiver.wait_for(1)

    assert joined["event_type"] == "system.pal_joined"
    assert joined["properties"] == {"replica_id": SEED_REPLICA_ID}


async def test_a_participant_joins_soon_after_the_replica(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    # Joins at ~0.1 s (replica 0.05 s + participant 0.05 s), before the 0.3 s absent timeout.
    sandbox = await start_sandbox(**SCALED)
    conversation_id = await _create(
        sandbox, receiver, participant_absent_timeout=30, max_call_duration=60
    )

    events = await receiver.wait_for(2)

    assert _shutdown(events)["properties"]["shutdown_reason"] == "max_call_duration reached"
    assert sandbox.state.conversations[conversation_id].participants == 0


async def test_nobody_joining_ends_on_participant_absent_timeout(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(participant_delay=None, **SCALED)
    conversation_id = await _create(sandbox, receiver, participant_absent_timeout=10)

    events = await receiver.wait_for(4)

    assert [e["event_type"] for e in events][:2] == ["system.replica_joined", "system.shutdown"]
    reason = _shutdown(events)["properties"]["shutdown_reason"]
    assert reason == "participant_absent_timeout reached"
    assert sandbox.state.conversations[conversation_id].shutdown_reason == reason


async def test_a_present_participant_holds_off_the_absent_timeout(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(participant_delay=None, **SCALED)
    conversation_id = await _create(
        sandbox, receiver, participant_absent_timeout=20, max_call_duration=40
    )
    joined = await _participant(sandbox, conversation_id, "join")

    events = await receiver.wait_for(2)

    assert joined.json() == {"conversation_id": conversation_id, "participants": 1}
    assert _shutdown(events)["properties"]["shutdown_reason"] == "max_call_duration reached"


async def test_last_participant_leaving_ends_on_participant_left_timeout(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(participant_delay=None, **SCALED)
    conversation_id = await _create(sandbox, receiver, participant_left_timeout=10)
    await _participant(sandbox, conversation_id, "join")
    await _participant(sandbox, conversation_id, "join")
    await _participant(sandbox, conversation_id, "leave")
    await asyncio.sleep(0.2)
    still_active = sandbox.state.conversations[conversation_id].status

    left = await _participant(sandbox, conversation_id, "leave")
    events = await receiver.wait_for(2)

    assert still_active == "active"  # one of two left: no countdown
    assert left.json()["participants"] == 0
    assert _shutdown(events)["properties"]["shutdown_reason"] == "participant_left_timeout reached"


async def test_rejoining_cancels_the_left_countdown(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(participant_delay=None, **SCALED)
    conversation_id = await _create(sandbox, receiver, participant_left_timeout=10)
    await _participant(sandbox, conversation_id, "join")
    await _participant(sandbox, conversation_id, "leave")
    await _participant(sandbox, conversation_id, "join")

    await asyncio.sleep(0.3)

    assert sandbox.state.conversations[conversation_id].status == "active"


async def test_leaving_an_empty_call_is_refused(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(participant_delay=None)
    conversation_id = await _create(sandbox, Receiver(url="http://127.0.0.1:9/cb"))

    response = await _participant(sandbox, conversation_id, "leave")

    assert response.status_code == 400
    assert response.json() == {"error": "No participant is in the call"}


async def test_participant_route_needs_an_active_known_conversation_and_a_verb(
    sandbox: Sandbox,
) -> None:
    ended = await sandbox.client.post(
        "/v2/conversations", json={"persona_id": SEED_PERSONA_ID, "test_mode": True}
    )
    ended_id = ended.json()["conversation_id"]

    unknown = await _participant(sandbox, "c000000000000", "join")
    not_active = await _participant(sandbox, ended_id, "join")
    bad_verb = await _participant(sandbox, ended_id, "dance")

    assert (unknown.status_code, unknown.json()) == (400, {"error": "Invalid conversation_id"})
    assert not_active.json() == {"error": "The conversation is not active"}
    assert bad_verb.status_code == 404


async def test_shutdown_key_and_missing_suffix_options(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(shutdown_key="reason", reached_suffix=False, **SCALED)
    await _create(sandbox, receiver, max_call_duration=10)

    events = await receiver.wait_for(2)

    properties = _shutdown(events)["properties"]
    assert properties == {"replica_id": SEED_REPLICA_ID, "reason": "max_call_duration"}


async def test_end_reason_keeps_its_words_without_suffix(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(reached_suffix=False)
    conversation_id = await _create(sandbox, receiver)

    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")

    events = sandbox.state.conversations[conversation_id].events
    assert _shutdown(events)["properties"]["shutdown_reason"] == "end_conversation_endpoint_hit"


async def test_time_scale_applies_to_tavus_defaults(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    # No properties: Tavus's 300 s absent default, scaled to 0.03 s.
    sandbox = await start_sandbox(participant_delay=None, joined_delay=30, time_scale=0.0001)
    await _create(sandbox, receiver)

    [shutdown, *_] = await receiver.wait_for(1)

    assert shutdown["properties"]["shutdown_reason"] == "participant_absent_timeout reached"
