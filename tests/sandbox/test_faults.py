"""Faults on demand: error answers, slow answers, dropped connections, callback delivery."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox import SEED_PERSONA_ID, Fault
from tests.sandbox.conftest import Receiver, Sandbox, StartSandbox

CREATE = {"persona_id": SEED_PERSONA_ID}


async def _create(sandbox: Sandbox, **fields: Any) -> httpx.Response:
    return await sandbox.client.post("/v2/conversations", json={**CREATE, **fields})


async def test_no_credits_is_402_with_a_message_and_creates_nothing(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("POST", "/v2/conversations", 402)

    refused = await _create(sandbox)
    accepted = await _create(sandbox)

    assert refused.status_code == 402
    assert refused.json() == {"message": "Insufficient credits"}
    assert accepted.status_code == 200
    assert list(sandbox.state.conversations) == [accepted.json()["conversation_id"]]


async def test_rate_limit_can_say_retry_after(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("GET", "/v2/personas", 429, retry_after=2)

    response = await sandbox.client.get("/v2/personas")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json() == {"message": "Too many requests"}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"error": "Internal server error"}),
        (502, {"error": "Bad gateway"}),
        (503, {"error": "Service unavailable"}),
    ],
)
async def test_server_errors_have_tavus_bodies(
    sandbox: Sandbox, status: int, body: dict[str, str]
) -> None:
    sandbox.state.faults.fail("*", "/v2/", status)

    response = await sandbox.client.get("/v2/replicas")

    assert (response.status_code, response.json()) == (status, body)
    assert "retry-after" not in response.headers


async def test_a_fault_lasts_its_times_then_goes(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("GET", "/v2/replicas", 503, times=2)

    statuses = [(await sandbox.client.get("/v2/replicas")).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert sandbox.state.faults.pending == []


async def test_times_none_lasts_until_cleared(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("GET", "/v2/replicas", 500, times=None)
    first = [(await sandbox.client.get("/v2/replicas")).status_code for _ in range(3)]

    sandbox.state.faults.clear()

    assert first == [500, 500, 500]
    assert (await sandbox.client.get("/v2/replicas")).status_code == 200


async def test_only_the_matching_method_and_path_prefix_use_a_fault(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("GET", "/v2/conversations/", 500)
    conversation_id = (await _create(sandbox)).json()["conversation_id"]

    listed = await sandbox.client.get("/v2/conversations")
    fetched = await sandbox.client.get(f"/v2/conversations/{conversation_id}")

    assert listed.status_code == 200
    assert fetched.status_code == 500


async def test_custom_text_body_like_a_gateway_page(sandbox: Sandbox) -> None:
    html = "<html><body>502 Bad Gateway</body></html>"
    sandbox.state.faults.add(Fault("GET", "/v2/personas", 502, body=html))

    response = await sandbox.client.get("/v2/personas")

    assert (response.status_code, response.text) == (502, html)


async def test_slow_answer_outlasts_a_short_client_timeout(sandbox: Sandbox) -> None:
    sandbox.state.faults.slow("GET", "/v2/replicas", 0.5)

    with pytest.raises(httpx.ReadTimeout):
        await sandbox.client.get("/v2/replicas", timeout=0.05)
    answered = await sandbox.client.get("/v2/replicas", timeout=5)

    assert answered.status_code == 200


async def test_drop_before_closes_without_answer_or_effect(sandbox: Sandbox) -> None:
    sandbox.state.faults.drop("POST", "/v2/conversations")

    with pytest.raises(httpx.RemoteProtocolError):
        await _create(sandbox)

    assert sandbox.state.conversations == {}


async def test_drop_after_loses_the_answer_but_the_call_exists(sandbox: Sandbox) -> None:
    sandbox.state.faults.drop("POST", "/v2/conversations", after=True)

    with pytest.raises(httpx.RemoteProtocolError):
        await _create(sandbox)

    assert len(sandbox.state.conversations) == 1


async def test_faults_never_touch_the_control_routes(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("*", "/", 500, times=None)

    listed = await sandbox.client.get("/_sandbox/faults")

    assert listed.status_code == 200
    assert [f["status"] for f in listed.json()["data"]] == [500]


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 200},
        {"status": 500, "drop": "before"},
        {"drop": "sometimes"},
        {"path": "v2"},
        {"times": 0},
        {"delay": "long"},
        {"colour": "red"},
    ],
)
def test_fault_validation(fault: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Fault(**fault)


# Over HTTP


async def test_http_control_adds_lists_applies_and_clears(sandbox: Sandbox) -> None:
    fault = {"method": "post", "path": "/v2/conversations", "status": 402, "times": 2}

    added = await sandbox.client.post("/_sandbox/faults", json=fault)
    first = await _create(sandbox)
    pending = (await sandbox.client.get("/_sandbox/faults")).json()["data"]
    cleared = await sandbox.client.delete("/_sandbox/faults")
    second = await _create(sandbox)

    assert added.status_code == 201
    assert added.json()["method"] == "POST"
    assert first.status_code == 402
    assert [f["times"] for f in pending] == [1]
    assert cleared.status_code == 204
    assert second.status_code == 200


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"status": "402"}, "Invalid fault: wrong type for status"),
        ({"status": 402, "colour": "red"}, "Unknown fault fields: colour"),
        ({"drop": "before", "status": 500}, "Invalid fault: a fault either answers"),
    ],
)
async def test_http_control_refuses_bad_faults(
    sandbox: Sandbox, fault: dict[str, Any], error: str
) -> None:
    response = await sandbox.client.post("/_sandbox/faults", json=fault)

    assert response.status_code == 400
    assert response.json()["error"].startswith(error)
    assert sandbox.state.faults.pending == []


async def test_control_routes_need_the_api_key(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as anonymous:
        response = await anonymous.post("/_sandbox/faults", json={"status": 500})

    assert response.status_code == 401
    assert sandbox.state.faults.pending == []


async def test_settings_change_all_or_nothing(sandbox: Sandbox) -> None:
    changed = await sandbox.client.patch(
        "/_sandbox/settings", json={"reorder_callbacks": True, "pal_joined": True}
    )
    refused = await sandbox.client.patch(
        "/_sandbox/settings", json={"duplicate_callbacks": True, "recordings": -1}
    )
    settings = (await sandbox.client.get("/_sandbox/settings")).json()

    assert changed.status_code == 200
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid value for recordings: -1 (expected a whole number, 0 or more)"
    }
    assert (settings["reorder_callbacks"], settings["pal_joined"]) == (True, True)
    assert settings["duplicate_callbacks"] is False
    assert sandbox.state.reorder_callbacks is True


# Callback delivery


async def test_duplicated_callbacks_arrive_twice(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(duplicate_callbacks=True)
    await _create(sandbox, callback_url=receiver.url)

    first, second = await receiver.wait_for(2)

    assert first == second
    assert first["event_type"] == "system.replica_joined"
    assert len(sandbox.state.conversations[first["conversation_id"]].events) == 1


async def test_reordered_callbacks_send_the_shutdown_after_the_transcript(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(joined_delay=30)
    sandbox.state.configure(reorder_callbacks=True)
    conversation_id = (await _create(sandbox, callback_url=receiver.url)).json()["conversation_id"]

    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")
    events = await receiver.wait_for(3)

    assert [e["event_type"] for e in events] == [
        "application.perception_analysis",
        "application.transcription_ready",
        "system.shutdown",
    ]
    stored = sandbox.state.conversations[conversation_id].events
    assert stored[0]["event_type"] == "system.shutdown"  # GET keeps the true order


async def test_replica_callbacks_use_the_same_delivery_faults(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(duplicate_callbacks=True)
    train = {"train_video_url": "https://bucket.example/t.mp4", "callback_url": receiver.url}
    replica_id = (await sandbox.client.post("/v2/replicas", json=train)).json()["replica_id"]

    payloads = await receiver.wait_for(2)

    assert payloads == [{"replica_id": replica_id, "status": "ready"}] * 2
