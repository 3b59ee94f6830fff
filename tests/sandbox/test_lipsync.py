"""/v2/lipsync: create, the job by polling and by callback, the error path, get, list, delete."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.sandbox.lipsync import LIPSYNC_ERROR
from tests.sandbox.conftest import (
    OBSERVABLE_JOB_SECONDS,
    WAIT_SECONDS,
    Receiver,
    Sandbox,
    StartSandbox,
    distinct,
    poll,
)

LIPSYNC = {
    "original_video_url": "https://bucket.example/talk.mp4",
    "source_audio_url": "https://bucket.example/dub.mp3",
    "lipsync_name": "Dubbed",
}


async def _create(sandbox: Sandbox, **fields: Any) -> dict[str, Any]:
    response = await sandbox.client.post("/v2/lipsync", json={**LIPSYNC, **fields})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _ended(lipsync: dict[str, Any]) -> bool:
    return lipsync["status"] in ("completed", "error")


async def test_create_answers_started_with_the_legacy_names(sandbox: Sandbox) -> None:
    created = await _create(sandbox, callback_url="https://hooks.example/x")

    lipsync_id = created["lipsync_id"]
    assert lipsync_id.startswith("w") and len(lipsync_id) == 13
    assert created == {
        "lipsync_id": lipsync_id,
        "lipsync_name": "Dubbed",
        "status": "started",
        "callback_url": "https://hooks.example/x",
        "request_id": lipsync_id,
        "request_name": "Dubbed",
    }


async def test_polling_sees_started_then_completed_with_a_video_url(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await start_sandbox(lipsync_delay=OBSERVABLE_JOB_SECONDS)
    lipsync_id = (await _create(sandbox))["lipsync_id"]

    polled = await poll(sandbox.client, f"/v2/lipsync/{lipsync_id}", _ended)

    assert distinct([lipsync["status"] for lipsync in polled]) == ["started", "completed"]
    assert polled[0]["video_url"] is None
    assert polled[-1]["video_url"].endswith(f"/{lipsync_id}.mp4")
    assert polled[-1]["error_message"] is None


async def test_completion_calls_back_with_the_get_object(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    lipsync_id = (await _create(sandbox, callback_url=receiver.url))["lipsync_id"]

    [payload] = await receiver.wait_for(1)

    assert payload == (await sandbox.client.get(f"/v2/lipsync/{lipsync_id}")).json()
    assert payload["status"] == "completed"
    assert sandbox.state.jobs == {}


@pytest.mark.parametrize("field", ["original_video_url", "source_audio_url"])
async def test_a_url_containing_fail_calls_back_error(
    sandbox: Sandbox, receiver: Receiver, field: str
) -> None:
    await _create(sandbox, callback_url=receiver.url, **{field: "https://b.example/fail.mp4"})

    [payload] = await receiver.wait_for(1)

    assert (payload["status"], payload["error_message"]) == ("error", LIPSYNC_ERROR)
    assert payload["video_url"] is None


async def test_the_lipsync_error_option_fails_with_its_text(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(lipsync_error="Audio longer than the video")
    lipsync_id = (await _create(sandbox))["lipsync_id"]

    [*_, ended] = await poll(sandbox.client, f"/v2/lipsync/{lipsync_id}", _ended)

    assert (ended["status"], ended["error_message"]) == ("error", "Audio longer than the video")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"original_video_url": None}, "Invalid original_video_url"),
        ({"original_video_url": "talk.mp4"}, "Invalid original_video_url"),
        ({"source_audio_url": None}, "Invalid source_audio_url"),
        ({"callback_url": "hooks"}, "Invalid callback_url"),
        ({"lipsync_name": ["x"]}, "lipsync_name must be a string"),
    ],
)
async def test_create_validates(sandbox: Sandbox, fields: dict[str, Any], error: str) -> None:
    response = await sandbox.client.post("/v2/lipsync", json={**LIPSYNC, **fields})

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert sandbox.state.lipsyncs == {}


async def test_get_unknown_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.client.get("/v2/lipsync/w000000000000")

    assert (response.status_code, response.json()) == (400, {"error": "Invalid lipsync_id"})


async def test_list_is_newest_first_with_pages_from_one(sandbox: Sandbox) -> None:
    ids = [(await _create(sandbox, lipsync_name=f"L{n}"))["lipsync_id"] for n in range(3)]

    page_2 = (await sandbox.client.get("/v2/lipsync", params={"limit": 2, "page": 2})).json()

    assert page_2["total_count"] == 3
    assert [lipsync["lipsync_id"] for lipsync in page_2["data"]] == [ids[0]]


async def test_delete_removes_it_and_stops_its_job(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(lipsync_delay=60)
    lipsync_id = (await _create(sandbox, callback_url=receiver.url))["lipsync_id"]
    job = sandbox.state.jobs[lipsync_id]

    deleted = await sandbox.client.delete(f"/v2/lipsync/{lipsync_id}")
    await asyncio.wait([job], timeout=WAIT_SECONDS)
    again = await sandbox.client.delete(f"/v2/lipsync/{lipsync_id}")

    assert deleted.status_code == 204
    assert job.cancelled()
    assert sandbox.state.callbacks_sent == []
    assert (again.status_code, again.json()) == (400, {"error": "Invalid lipsync_id"})
