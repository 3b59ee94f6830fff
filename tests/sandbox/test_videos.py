"""/v2/videos: validation, the generation job by polling and by callback, errors, lists."""

from __future__ import annotations

import asyncio
import re
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from bot.sandbox import SEED_REPLICA_ID
from bot.sandbox.videos import (
    AUDIO_FORMAT,
    BOTH_SOURCES,
    NO_SOURCE,
    READY,
    REPLICA_NOT_READY,
    TRANSPARENT_NEEDS_FAST,
    VIDEO_ERROR,
    WATERMARK_FORMAT,
)
from tests.sandbox.conftest import (
    OBSERVABLE_JOB_SECONDS,
    WAIT_SECONDS,
    Receiver,
    Sandbox,
    StartSandbox,
    distinct,
    percent,
    poll,
)

SCRIPT = {"replica_id": SEED_REPLICA_ID, "script": "Hello from the sandbox."}
NAIVE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
RFC_1123 = re.compile(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$")
LONG = {"video_delay": 60}  # the job stays where it started


async def _create(sandbox: Sandbox, **fields: Any) -> dict[str, Any]:
    response = await sandbox.client.post("/v2/videos", json={**SCRIPT, **fields})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _get(sandbox: Sandbox, video_id: str, **params: Any) -> httpx.Response:
    return await sandbox.client.get(f"/v2/videos/{video_id}", params=params)


def _ended(video: dict[str, Any]) -> bool:
    return video["status"] in ("ready", "error")


# Create


async def test_create_answers_queued_with_an_rfc_1123_created_at(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await start_sandbox(**LONG)
    created = await _create(sandbox, video_name="Welcome")

    video_id = created["video_id"]
    assert set(created) == {"video_id", "video_name", "status", "hosted_url", "created_at"}
    assert (created["video_name"], created["status"]) == ("Welcome", "queued")
    assert re.fullmatch(r"[0-9a-f]{10}", video_id)
    assert created["hosted_url"] == f"https://videos.tavus.io/video/{video_id}"
    assert RFC_1123.match(created["created_at"])
    assert parsedate_to_datetime(created["created_at"]).tzinfo is not None


async def test_a_new_video_is_queued_with_no_urls_yet(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(**LONG)
    video_id = (await _create(sandbox))["video_id"]

    video = (await _get(sandbox, video_id, verbose="true")).json()

    assert (video["status"], video["generation_progress"]) == ("queued", "0/100")
    assert video["data"] == {"script": SCRIPT["script"]}
    assert video["replica_id"] == SEED_REPLICA_ID
    assert video["download_url"] is video["stream_url"] is None
    assert video["still_image_thumbnail_url"] is None
    assert NAIVE.match(video["created_at"]) and NAIVE.match(video["updated_at"])


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"replica_id": None}, "replica_id is required"),
        ({"replica_id": "rnothere"}, "Invalid replica_id"),
        ({"script": None}, NO_SOURCE),
        ({"script": "   "}, NO_SOURCE),
        ({"script": 5}, "script must be a string"),
        ({"audio_url": "https://bucket.example/voice.mp3"}, BOTH_SOURCES),
        ({"script": None, "audio_url": "https://bucket.example/voice.ogg"}, AUDIO_FORMAT),
        ({"script": None, "audio_url": "ftp://bucket.example/voice.mp3"}, "Invalid audio_url"),
        ({"transparent_background": True}, TRANSPARENT_NEEDS_FAST),
        ({"fast": "yes"}, "fast must be a boolean"),
        ({"callback_url": "example.com/hook"}, "Invalid callback_url"),
        ({"background_url": "javascript:alert(1)"}, "Invalid background_url"),
        ({"background_source_url": 7}, "Invalid background_source_url"),
        ({"watermark_image_url": "https://bucket.example/logo.gif"}, WATERMARK_FORMAT),
        ({"properties": []}, "properties must be an object"),
        (
            {"properties": {"background_scroll_type": "fast"}},
            "properties.background_scroll_type must be one of: human, smooth",
        ),
        (
            {"properties": {"background_scroll_depth": "top"}},
            "properties.background_scroll_depth must be one of: middle, bottom",
        ),
        (
            {"properties": {"background_scroll_return": "stay"}},
            "properties.background_scroll_return must be one of: return, halt",
        ),
        ({"properties": {"start_with_wave": 1}}, "properties.start_with_wave must be a boolean"),
    ],
)
async def test_create_validates_as_tavus_does(
    sandbox: Sandbox, fields: dict[str, Any], error: str
) -> None:
    response = await sandbox.client.post("/v2/videos", json={**SCRIPT, **fields})

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert sandbox.state.videos == {}


async def test_a_replica_still_training_cannot_make_videos(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(training_delay=60)
    training = {"train_video_url": "https://bucket.example/train.mp4"}
    replica_id = (await sandbox.client.post("/v2/replicas", json=training)).json()["replica_id"]

    response = await sandbox.client.post("/v2/videos", json={**SCRIPT, "replica_id": replica_id})

    assert response.status_code == 400
    assert response.json() == {"error": REPLICA_NOT_READY}


async def test_audio_may_be_a_presigned_mp3_or_a_wav(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(**LONG)
    mp3 = "https://bucket.example/voice.MP3?X-Amz-Signature=abc"

    by_mp3 = await _create(sandbox, script=None, audio_url=mp3)
    await _create(sandbox, script=None, audio_url="http://bucket.example/voice.wav")

    assert sandbox.state.videos[by_mp3["video_id"]].data == {"audio_url": mp3}
    assert len(sandbox.state.videos) == 2


# The job


async def test_polling_sees_queued_then_generating_progress_then_ready(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await start_sandbox(video_delay=OBSERVABLE_JOB_SECONDS)
    created = await _create(sandbox)

    polled = await poll(sandbox.client, f"/v2/videos/{created['video_id']}", _ended)

    statuses = distinct([created["status"]] + [video["status"] for video in polled])
    steps = [percent(video["generation_progress"]) for video in polled]
    assert statuses == ["queued", "generating", "ready"]
    assert steps == sorted(steps)
    assert any(0 < step < 100 for step in steps)
    ready = polled[-1]
    assert (ready["generation_progress"], ready["status_details"]) == ("100/100", READY)
    assert ready["download_url"].endswith(".mp4?download=1")
    assert ready["stream_url"].endswith(".m3u8")


async def test_ready_calls_back_once_with_the_whole_video(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    video_id = (await _create(sandbox, callback_url=receiver.url))["video_id"]

    [payload] = await receiver.wait_for(1)
    fetched = (await _get(sandbox, video_id)).json()

    assert payload == fetched  # the whole object, no envelope
    assert payload["status"] == "ready"
    assert NAIVE.match(payload["created_at"]) and NAIVE.match(payload["updated_at"])
    assert sandbox.state.jobs == {}  # the job is over: no callback is still to come
    assert sandbox.state.callbacks_sent == [(receiver.url, payload, 200)]


async def test_verbose_get_adds_thumbnails(sandbox: Sandbox) -> None:
    video_id = (await _create(sandbox))["video_id"]
    await poll(sandbox.client, f"/v2/videos/{video_id}", _ended)

    plain = (await _get(sandbox, video_id)).json()
    verbose = (await _get(sandbox, video_id, verbose="true")).json()

    assert "still_image_thumbnail_url" not in plain and "gif_thumbnail_url" not in plain
    assert verbose["still_image_thumbnail_url"].endswith(".jpg")
    assert verbose["gif_thumbnail_url"].endswith(".gif")


async def test_fast_transparent_video_is_webm_without_stream_or_thumbnails(
    sandbox: Sandbox,
) -> None:
    video_id = (await _create(sandbox, fast=True, transparent_background=True))["video_id"]

    [*_, ready] = await poll(sandbox.client, f"/v2/videos/{video_id}?verbose=true", _ended)

    assert ready["status"] == "ready"
    assert ready["download_url"].endswith(".webm?download=1")
    assert ready["stream_url"] is None
    assert ready["still_image_thumbnail_url"] is ready["gif_thumbnail_url"] is None


async def test_callbacks_use_the_delivery_options(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(duplicate_callbacks=True)
    await _create(sandbox, callback_url=receiver.url)

    first, second = await receiver.wait_for(2)

    assert first == second
    assert first["status"] == "ready"


# The error path


def _assert_failed(video: dict[str, Any], reason: str) -> None:
    assert video["status"] == "error"
    assert video["generation_progress"] == "0/100"
    assert video["download_url"] is video["stream_url"] is None
    assert video["status_details"] == reason


async def test_a_script_with_the_fail_marker_ends_in_error_with_a_callback(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    body = {"script": "Please [fail] here.", "callback_url": receiver.url}
    video_id = (await _create(sandbox, **body))["video_id"]

    [payload] = await receiver.wait_for(1)

    _assert_failed(payload, VIDEO_ERROR)
    _assert_failed((await _get(sandbox, video_id)).json(), VIDEO_ERROR)


async def test_an_audio_url_containing_fail_ends_in_error(sandbox: Sandbox) -> None:
    audio = {"script": None, "audio_url": "https://bucket.example/fail.wav"}
    video_id = (await _create(sandbox, **audio))["video_id"]

    [*_, ended] = await poll(sandbox.client, f"/v2/videos/{video_id}", _ended)

    _assert_failed(ended, VIDEO_ERROR)


async def test_polling_a_failing_video_sees_progress_before_the_error(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await start_sandbox(video_delay=OBSERVABLE_JOB_SECONDS)
    video_id = (await _create(sandbox, script="[fail]"))["video_id"]

    polled = await poll(sandbox.client, f"/v2/videos/{video_id}", _ended)

    assert distinct([video["status"] for video in polled])[-2:] == ["generating", "error"]
    assert max(percent(video["generation_progress"]) for video in polled) < 50


async def test_the_video_error_option_set_over_http_fails_new_videos(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    reason = "The replica's voice could not be generated."
    settings = await sandbox.client.patch("/_sandbox/settings", json={"video_error": reason})
    await _create(sandbox, callback_url=receiver.url)

    [payload] = await receiver.wait_for(1)

    assert settings.json()["video_error"] == reason
    _assert_failed(payload, reason)


async def test_the_error_option_applies_to_videos_created_after_it(
    start_sandbox: StartSandbox,
) -> None:
    sandbox = await start_sandbox(video_delay=0.2)
    video_id = (await _create(sandbox))["video_id"]
    sandbox.state.configure(video_error="too late")

    [*_, ended] = await poll(sandbox.client, f"/v2/videos/{video_id}", _ended)

    assert ended["status"] == "ready"


# Get, list, rename, delete


async def test_list_items_carry_error_details(sandbox: Sandbox) -> None:
    failed_id = (await _create(sandbox, script="[fail]"))["video_id"]
    await poll(sandbox.client, f"/v2/videos/{failed_id}", _ended)
    await _create(sandbox)

    listed = (await sandbox.client.get("/v2/videos")).json()["data"]

    assert [v["error_details"] for v in listed] == [None, VIDEO_ERROR]
    assert "error_details" not in (await _get(sandbox, failed_id)).json()


async def test_get_unknown_video_is_400(sandbox: Sandbox) -> None:
    response = await _get(sandbox, "0000000000")

    assert (response.status_code, response.json()) == (400, {"error": "Invalid video_id"})


async def test_list_counts_pages_from_zero_newest_first(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(**LONG)
    ids = [(await _create(sandbox, video_name=f"V{n}"))["video_id"] for n in range(3)]

    first = (await sandbox.client.get("/v2/videos", params={"limit": 2})).json()
    page_0 = (await sandbox.client.get("/v2/videos", params={"limit": 2, "page": 0})).json()
    page_1 = (await sandbox.client.get("/v2/videos", params={"limit": 2, "page": 1})).json()
    refused = await sandbox.client.get("/v2/videos", params={"page": -1})

    assert first == page_0
    assert [v["video_id"] for v in page_0["data"]] == [ids[2], ids[1]]
    assert [v["video_id"] for v in page_1["data"]] == [ids[0]]
    assert page_0["total_count"] == page_1["total_count"] == 3
    assert "still_image_thumbnail_url" in page_0["data"][0]
    assert (refused.status_code, refused.json()) == (400, {"error": "Invalid page"})


async def test_list_pages_can_count_from_one(start_sandbox: StartSandbox) -> None:
    sandbox = await start_sandbox(video_first_page=1, **LONG)
    ids = [(await _create(sandbox))["video_id"] for _ in range(2)]

    page_1 = (await sandbox.client.get("/v2/videos", params={"limit": 1, "page": 1})).json()
    page_0 = await sandbox.client.get("/v2/videos", params={"limit": 1, "page": 0})

    assert [v["video_id"] for v in page_1["data"]] == [ids[1]]
    assert page_0.status_code == 400


async def test_rename(sandbox: Sandbox) -> None:
    video_id = (await _create(sandbox))["video_id"]

    renamed = await sandbox.client.patch(f"/v2/videos/{video_id}/name", json={"video_name": "Q3"})
    empty = await sandbox.client.patch(f"/v2/videos/{video_id}/name", json={"video_name": " "})
    unknown = await sandbox.client.patch("/v2/videos/0000000000/name", json={"video_name": "x"})

    assert renamed.status_code == 200
    assert (await _get(sandbox, video_id)).json()["video_name"] == "Q3"
    assert (empty.status_code, empty.json()) == (400, {"error": "video_name is required"})
    assert (unknown.status_code, unknown.json()) == (400, {"error": "Invalid video_id"})


async def test_soft_delete_keeps_the_video_as_deleted(sandbox: Sandbox) -> None:
    video_id = (await _create(sandbox))["video_id"]
    await poll(sandbox.client, f"/v2/videos/{video_id}", _ended)

    deleted = await sandbox.client.delete(f"/v2/videos/{video_id}")
    fetched = (await _get(sandbox, video_id)).json()
    listed = (await sandbox.client.get("/v2/videos")).json()
    rename = await sandbox.client.patch(f"/v2/videos/{video_id}/name", json={"video_name": "x"})

    assert deleted.status_code == 204
    assert fetched["status"] == "deleted"
    assert fetched["download_url"] is not None  # only a hard delete removes the assets
    assert [v["status"] for v in listed["data"]] == ["deleted"]
    assert rename.status_code == 400


async def test_hard_delete_removes_the_video(sandbox: Sandbox) -> None:
    video_id = (await _create(sandbox))["video_id"]

    deleted = await sandbox.client.delete(f"/v2/videos/{video_id}", params={"hard": "true"})
    fetched = await _get(sandbox, video_id)
    again = await sandbox.client.delete(f"/v2/videos/{video_id}")

    assert deleted.status_code == 204
    assert (fetched.status_code, fetched.json()) == (400, {"error": "Invalid video_id"})
    assert again.status_code == 400
    assert (await sandbox.client.get("/v2/videos")).json()["total_count"] == 0


async def test_deleting_a_generating_video_stops_it_without_a_callback(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(**LONG)
    video_id = (await _create(sandbox, callback_url=receiver.url))["video_id"]
    job = sandbox.state.jobs[video_id]

    await sandbox.client.delete(f"/v2/videos/{video_id}")
    await asyncio.wait([job], timeout=WAIT_SECONDS)

    assert job.cancelled()
    assert sandbox.state.videos[video_id].status == "deleted"
    assert sandbox.state.callbacks_sent == []


async def test_faults_apply_to_video_routes(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail("POST", "/v2/videos", 402)

    refused = await sandbox.client.post("/v2/videos", json=SCRIPT)

    assert (refused.status_code, refused.json()) == (402, {"message": "Insufficient credits"})
    assert sandbox.state.videos == {}
