from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from bot.sandbox import SANDBOX_STATE, SEED_PERSONA_ID, build_app, serve
from tests.sandbox.conftest import API_KEY, Sandbox, StartSandbox, start_runner


async def test_missing_api_key_is_401_with_tavus_body(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as anonymous:
        response = await anonymous.get("/v2/personas")

    assert response.status_code == 401
    assert response.json() == {"message": "Invalid access token"}


async def test_wrong_api_key_is_401(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v2/personas", headers={"x-api-key": "nope"})

    assert response.status_code == 401
    assert response.json() == {"message": "Invalid access token"}


async def test_unknown_route_is_404(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v2/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


async def test_malformed_json_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.client.post(
        "/v2/conversations", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"error": "Invalid JSON body"}


async def test_latency_delays_every_answer(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(latency=0.2)
    started = time.monotonic()

    response = await sandbox.client.get("/v2/replicas")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2


async def test_cleanup_cancels_pending_lifecycle_tasks() -> None:
    app = build_app(api_key=API_KEY, joined_delay=60, max_duration_default=60)
    runner, url = await start_runner(app)
    async with httpx.AsyncClient(base_url=url, headers={"x-api-key": API_KEY}) as client:
        await client.post("/v2/conversations", json={"persona_id": SEED_PERSONA_ID})
    pending = set(app[SANDBOX_STATE].tasks)

    await runner.cleanup()

    assert len(pending) == 3  # the replica's join, max_call_duration, participant_absent_timeout
    assert all(task.cancelled() for task in pending)
    assert app[SANDBOX_STATE].tasks == set()


async def test_serve_runs_until_cancelled() -> None:
    task = asyncio.create_task(serve(host="127.0.0.1", port=0, api_key="k", joined_delay=0.01))
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert task.cancelled()


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"joined_delai": 1}, "unknown sandbox option: joined_delai"),
        ({"shutdown_key": "why"}, "invalid value for shutdown_key: 'why'"),
        ({"perception_unavailable": "tired"}, "invalid value for perception_unavailable"),
        ({"post_call_actions": [{"tool_name": "crm", "status": "done"}]}, "post_call_actions"),
        ({"latency": -1}, "invalid value for latency"),
        ({"video_delay": -0.1}, "invalid value for video_delay"),
        ({"lipsync_delay": "soon"}, "invalid value for lipsync_delay"),
        ({"video_error": ""}, "invalid value for video_error"),
        ({"replica_error": 3}, "invalid value for replica_error"),
        ({"video_first_page": 2}, "invalid value for video_first_page"),
        ({"video_first_page": True}, "invalid value for video_first_page"),
        ({"objectives_get_shape": "dict"}, "invalid value for objectives_get_shape"),
        ({"guardrails_get_shape": None}, "invalid value for guardrails_get_shape"),
        ({"objective_delay": -1}, "invalid value for objective_delay"),
        ({"objectives_completed": -1}, "invalid value for objectives_completed"),
        ({"objectives_completed": 1.5}, "invalid value for objectives_completed"),
        ({"guardrail_delay": "later"}, "invalid value for guardrail_delay"),
        ({"guardrail_trigger": ""}, "invalid value for guardrail_trigger"),
        ({"document_delay": None}, "invalid value for document_delay"),
        ({"document_error": "broken"}, "invalid value for document_error"),
        ({"document_id_field": "id"}, "invalid value for document_id_field"),
        ({"recrawl_cooldown": -5}, "invalid value for recrawl_cooldown"),
        ({"crawl_document_limit": True}, "invalid value for crawl_document_limit"),
        ({"record_requests": 1}, "invalid value for record_requests"),
    ],
)
def test_build_app_refuses_unknown_or_bad_options(options: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        build_app(api_key=API_KEY, **options)
