from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import NotFound, ServerError
from bot.tavus.models import LIPSYNC_COMPLETED

from .conftest import MakeTavus, RecordingSleep
from .mock_api import Recorder, no_content, ok, paged, server_error, unavailable

CREATED: dict[str, Any] = {
    "lipsync_id": "wf85407a7ba9d",
    "lipsync_name": "My Lipsync Video",
    "status": "started",
    "callback_url": "https://app.test/tavus/callbacks/tok",
    "request_id": "wf85407a7ba9d",
    "request_name": "My Lipsync Video",
}

# An older answer that only carries the legacy spellings.
LEGACY: dict[str, Any] = {
    "request_id": "w0108f2d24k2a",
    "request_name": "Old Lipsync",
    "status": "completed",
    "created_at": "2024-08-28 15:27:40.824457",
    "video_url": "https://lipsync-prod.s3.amazonaws.com/l0108f2d24k2a.mp4",
}


async def test_create_sends_the_spec_fields(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    lipsync = await make_tavus(recorder).lipsync.create(
        original_video_url="https://bucket.test/in.mp4",
        source_audio_url="https://bucket.test/voice.mp3",
        lipsync_name="My Lipsync Video",
        callback_url="https://app.test/tavus/callbacks/tok",
    )

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/lipsync")
    assert recorder.body() == {
        "original_video_url": "https://bucket.test/in.mp4",
        "source_audio_url": "https://bucket.test/voice.mp3",
        "lipsync_name": "My Lipsync Video",
        "callback_url": "https://app.test/tavus/callbacks/tok",
    }
    assert (lipsync.lipsync_id, lipsync.status) == ("wf85407a7ba9d", "started")


async def test_create_sends_only_given_keys(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    await make_tavus(recorder).lipsync.create(
        original_video_url="https://bucket.test/in.mp4", source_audio_url="https://b.test/a.wav"
    )

    assert set(recorder.body()) == {"original_video_url", "source_audio_url"}


async def test_create_needs_both_urls(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    with pytest.raises(ValueError):
        await make_tavus(recorder).lipsync.create(
            original_video_url="https://bucket.test/in.mp4", source_audio_url=" "
        )

    assert recorder.requests == []


async def test_create_is_never_retried(make_tavus: MakeTavus, sleep: RecordingSleep) -> None:
    recorder = Recorder(server_error, ok(CREATED))
    with pytest.raises(ServerError):
        await make_tavus(recorder).lipsync.create(
            original_video_url="https://b.test/in.mp4", source_audio_url="https://b.test/a.wav"
        )

    assert len(recorder.requests) == 1
    assert sleep.delays == []


async def test_get_reads_the_legacy_spelling(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok(LEGACY))
    lipsync = await make_tavus(recorder).lipsync.get("w0108f2d24k2a")

    assert recorder.last.url.path == "/v2/lipsync/w0108f2d24k2a"
    assert len(recorder.requests) == 2
    assert lipsync.lipsync_id == "w0108f2d24k2a"
    assert lipsync.lipsync_name == "Old Lipsync"
    assert lipsync.status == LIPSYNC_COMPLETED
    assert lipsync.video_url == "https://lipsync-prod.s3.amazonaws.com/l0108f2d24k2a.mp4"
    assert lipsync.created_at == "2024-08-28 15:27:40.824457"


async def test_get_unknown_is_not_found(make_tavus: MakeTavus) -> None:
    with pytest.raises(NotFound, match="Invalid lipsync_id"):
        await make_tavus(ok({"error": "Invalid lipsync_id"}, 400)).lipsync.get("w1")


async def test_list_and_iter_all(make_tavus: MakeTavus) -> None:
    rows = [{**CREATED, "lipsync_id": f"w{i}"} for i in range(3)]
    recorder = Recorder(paged(rows))
    tavus = make_tavus(recorder)
    page = await tavus.lipsync.list(limit=2)
    found = [item.lipsync_id async for item in tavus.lipsync.iter_all(limit=2)]

    assert dict(recorder.requests[0].url.params) == {"page": "1", "limit": "2"}
    assert [item.lipsync_id for item in page.items] == ["w0", "w1"]
    assert page.has_more
    assert found == ["w0", "w1", "w2"]


async def test_delete_is_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(server_error, no_content)
    await make_tavus(recorder).lipsync.delete("w1")

    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", "/v2/lipsync/w1")
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("call", ["get", "delete"])
async def test_path_parameters_are_validated(make_tavus: MakeTavus, call: str) -> None:
    recorder = Recorder(ok(CREATED))
    with pytest.raises(ValueError, match="lipsync_id"):
        await getattr(make_tavus(recorder).lipsync, call)("w1/../x")

    assert recorder.requests == []
