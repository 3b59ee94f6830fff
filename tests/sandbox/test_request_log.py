"""`state.requests`: what contract tests read, every API request as the sandbox received it."""

from __future__ import annotations

import httpx

from bot.sandbox import SEED_PERSONA_ID
from bot.sandbox.recording import REQUEST_LOG_LIMIT, RecordedRequest, record
from tests.sandbox.conftest import Sandbox, StartSandbox


async def test_each_api_request_is_logged_in_order_with_its_parsed_body(sandbox: Sandbox) -> None:
    body = {"persona_id": SEED_PERSONA_ID, "test_mode": True}
    await sandbox.client.post("/v2/conversations", json=body)
    await sandbox.client.get("/v2/personas", params={"limit": 2, "persona_type": "system"})
    await sandbox.client.patch("/v2/personas/p1", json=[{"op": "remove", "path": "/context"}])

    assert sandbox.state.requests == [
        ("POST", "/v2/conversations", {}, body),
        ("GET", "/v2/personas", {"limit": "2", "persona_type": "system"}, None),
        ("PATCH", "/v2/personas/p1", {}, [{"op": "remove", "path": "/context"}]),
    ]
    assert sandbox.state.requests[0].body == body


async def test_a_body_that_is_not_json_is_kept_as_text(sandbox: Sandbox) -> None:
    await sandbox.client.post(
        "/v2/documents", content=b"{oops", headers={"content-type": "application/json"}
    )

    [logged] = sandbox.state.requests
    assert logged.body == "{oops"


async def test_control_routes_and_unauthenticated_requests_are_not_logged(
    sandbox: Sandbox,
) -> None:
    await sandbox.client.get("/_sandbox/settings")
    async with httpx.AsyncClient(base_url=sandbox.url) as anonymous:
        await anonymous.get("/v2/personas")

    assert sandbox.state.requests == []


async def test_requests_a_fault_refuses_are_logged_too(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("POST", "/v2/objectives", 402)

    response = await sandbox.client.post("/v2/objectives", json={"data": []})

    assert response.status_code == 402
    assert sandbox.state.requests == [("POST", "/v2/objectives", {}, {"data": []})]


async def test_the_log_can_be_turned_off(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(record_requests=False)

    await sandbox.client.get("/v2/personas")

    assert sandbox.state.requests == []


async def test_the_log_over_http(sandbox: Sandbox) -> None:
    await sandbox.client.post("/v2/guardrails", json={"name": "x"})

    shown = (await sandbox.client.get("/_sandbox/requests")).json()
    cleared = await sandbox.client.delete("/_sandbox/requests")

    assert shown == {
        "data": [{"method": "POST", "path": "/v2/guardrails", "query": {}, "body": {"name": "x"}}]
    }
    assert cleared.status_code == 204
    assert sandbox.state.requests == []


def test_the_oldest_entries_go_past_the_limit() -> None:
    log: list[RecordedRequest] = []

    for index in range(REQUEST_LOG_LIMIT + 2):
        record(log, RecordedRequest("GET", f"/v2/videos/{index}", {}, None))

    assert len(log) == REQUEST_LOG_LIMIT
    assert log[0].path == "/v2/videos/2"
    assert log[-1].path == f"/v2/videos/{REQUEST_LOG_LIMIT + 1}"
