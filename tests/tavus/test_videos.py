from __future__ import annotations

from typing import Any

import pytest

from bot.tavus import (
    BadRequest,
    NotFound,
    PaymentRequired,
    ServerError,
    TavusConnectionError,
    Unauthorized,
)
from bot.tavus.models import VIDEO_QUEUED, VIDEO_READY

from .conftest import MakeTavus, RecordingSleep
from .mock_api import (
    Recorder,
    clamps_page_zero,
    invalid_token,
    invalid_video,
    no_content,
    ok,
    out_of_credits,
    paged,
    paged_from_zero,
    rejects_page_zero,
    server_error,
    timed_out,
    unavailable,
    unreachable,
)

# The create answer, as the spec shows it: RFC 1123 timestamp, no replica or URLs yet.
CREATED: dict[str, Any] = {
    "video_id": "abcd123",
    "video_name": "Sample Video",
    "status": "queued",
    "hosted_url": "https://tavus.video/abcd123",
    "created_at": "Mon, 14 Jul 2025 09:14:24 GMT",
}

VERBOSE: dict[str, Any] = {
    "video_id": "abcd123",
    "video_name": "Sample Video",
    "status": "ready",
    "data": {"script": "Hello from Tavus!"},
    "download_url": "https://cdn.test/abcd123.mp4?download=1",
    "stream_url": "https://cdn.test/abcd123.m3u8",
    "hosted_url": "https://tavus.video/abcd123",
    "status_details": "Your request has processed successfully!",
    "created_at": "2025-07-14T09:14:24.000Z",
    "updated_at": "2025-07-14T09:16:02.000Z",
    "still_image_thumbnail_url": "https://cdn.test/abcd123.jpg",
    "gif_thumbnail_url": "https://cdn.test/abcd123.gif",
}


def video_rows(count: int) -> list[dict[str, Any]]:
    return [{"video_id": f"v{i}", "status": "ready"} for i in range(count)]


async def test_generate_from_script_sends_only_given_keys(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    video = await make_tavus(recorder).videos.generate(
        replica_id="r90bbd427f71", script="Hi, this is my first video.", video_name="First"
    )

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/videos")
    assert recorder.body() == {
        "replica_id": "r90bbd427f71",
        "script": "Hi, this is my first video.",
        "video_name": "First",
    }
    assert video.status == VIDEO_QUEUED
    assert video.created_at == "Mon, 14 Jul 2025 09:14:24 GMT"
    assert video.hosted_url == "https://tavus.video/abcd123"
    assert video.download_url is None
    assert not video.is_finished


async def test_generate_from_audio_with_every_option(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    await make_tavus(recorder).videos.generate(
        replica_id="r1",
        audio_url="https://bucket.test/voice.mp3?X-Amz-Signature=abc",
        video_name="Demo",
        background_url="https://example.test/",
        background_source_url="https://bucket.test/bg.mp4",
        fast=True,
        transparent_background=True,
        watermark_image_url="https://bucket.test/mark.png",
        properties={
            "background_scroll": True,
            "background_scroll_type": "smooth",
            "background_scroll_depth": "bottom",
            "background_scroll_return": "halt",
            "start_with_wave": False,
        },
        callback_url="https://app.test/tavus/callbacks/tok",
    )

    assert recorder.body() == {
        "replica_id": "r1",
        "audio_url": "https://bucket.test/voice.mp3?X-Amz-Signature=abc",
        "video_name": "Demo",
        "background_url": "https://example.test/",
        "background_source_url": "https://bucket.test/bg.mp4",
        "fast": True,
        "transparent_background": True,
        "watermark_image_url": "https://bucket.test/mark.png",
        "properties": {
            "background_scroll": True,
            "background_scroll_type": "smooth",
            "background_scroll_depth": "bottom",
            "background_scroll_return": "halt",
            "start_with_wave": False,
        },
        "callback_url": "https://app.test/tavus/callbacks/tok",
    }


async def test_generate_sends_false_flags(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    await make_tavus(recorder).videos.generate(
        replica_id="r1", script="Hi", fast=False, transparent_background=False
    )

    assert recorder.body() == {
        "replica_id": "r1",
        "script": "Hi",
        "fast": False,
        "transparent_background": False,
    }


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({}, "exactly one"),
        ({"script": "Hi", "audio_url": "https://bucket.test/a.wav"}, "exactly one"),
        ({"script": "   "}, "empty"),
        ({"audio_url": ""}, "empty"),
        ({"script": "Hi", "transparent_background": True}, "fast"),
        ({"script": "Hi", "transparent_background": True, "fast": False}, "fast"),
        ({"script": "Hi", "replica_id": " "}, "replica_id"),
    ],
    ids=["neither", "both", "blank-script", "blank-audio", "no-fast", "fast-false", "no-replica"],
)
async def test_generate_refuses_bad_combinations(
    make_tavus: MakeTavus, options: dict[str, Any], match: str
) -> None:
    recorder = Recorder(ok(CREATED))
    with pytest.raises(ValueError, match=match):
        await make_tavus(recorder).videos.generate(**{"replica_id": "r1", **options})

    assert recorder.requests == []


@pytest.mark.parametrize("failure", [server_error, unreachable, timed_out])
async def test_generate_is_never_retried(
    make_tavus: MakeTavus, sleep: RecordingSleep, failure: Any
) -> None:
    recorder = Recorder(failure, ok(CREATED))
    with pytest.raises((ServerError, TavusConnectionError)):
        await make_tavus(recorder).videos.generate(replica_id="r1", script="Hi")

    assert len(recorder.requests) == 1
    assert sleep.delays == []


async def test_generate_out_of_credits_is_payment_required(make_tavus: MakeTavus) -> None:
    with pytest.raises(PaymentRequired):
        await make_tavus(out_of_credits).videos.generate(replica_id="r1", script="Hi")


async def test_get_verbose_parses_thumbnails(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(VERBOSE))
    video = await make_tavus(recorder).videos.get("abcd123", verbose=True)

    assert recorder.last.url.path == "/v2/videos/abcd123"
    assert recorder.last.url.params["verbose"] == "true"
    assert video.status == VIDEO_READY
    assert video.is_finished
    assert video.script == "Hello from Tavus!"
    assert video.data == {"script": "Hello from Tavus!"}
    assert video.download_url == "https://cdn.test/abcd123.mp4?download=1"
    assert video.stream_url == "https://cdn.test/abcd123.m3u8"
    assert video.still_image_thumbnail_url == "https://cdn.test/abcd123.jpg"
    assert video.thumbnail_image_url == "https://cdn.test/abcd123.jpg"
    assert video.gif_thumbnail_url == "https://cdn.test/abcd123.gif"
    assert video.updated_at == "2025-07-14T09:16:02.000Z"


async def test_get_without_verbose_sends_no_query(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CREATED))
    await make_tavus(recorder).videos.get("abcd123")

    assert recorder.last.url.query == b""


async def test_get_is_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, unreachable, ok(VERBOSE))
    video = await make_tavus(recorder).videos.get("abcd123")

    assert video.video_id == "abcd123"
    assert len(recorder.requests) == 3


async def test_unknown_video_is_not_found_quoting_tavus(make_tavus: MakeTavus) -> None:
    recorder = Recorder(invalid_video)
    with pytest.raises(NotFound) as caught:
        await make_tavus(recorder).videos.get("v404")

    assert caught.value.user_message == "Tavus says: Invalid video_id (400)"
    assert len(recorder.requests) == 1


async def test_bad_key_is_unauthorized(make_tavus: MakeTavus) -> None:
    with pytest.raises(Unauthorized):
        await make_tavus(invalid_token).videos.list()


async def test_list_returns_a_page(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [VERBOSE], "total_count": 31}))
    page = await make_tavus(recorder).videos.list(page=2, limit=5)

    assert recorder.last.url.path == "/v2/videos"
    assert dict(recorder.last.url.params) == {"page": "2", "limit": "5"}
    assert [v.video_id for v in page.items] == ["abcd123"]
    assert (page.total_count, page.page, page.limit) == (31, 2, 5)


async def collect(make_tavus: MakeTavus, recorder: Recorder, limit: int = 2) -> list[str]:
    return [v.video_id async for v in make_tavus(recorder).videos.iter_all(limit=limit)]


def pages_asked(recorder: Recorder) -> list[str]:
    return [r.url.params["page"] for r in recorder.requests]


async def test_iter_all_over_zero_based_pages(make_tavus: MakeTavus) -> None:
    recorder = Recorder(paged_from_zero(video_rows(5), total_count=5))

    assert await collect(make_tavus, recorder) == ["v0", "v1", "v2", "v3", "v4"]
    assert pages_asked(recorder) == ["0", "1", "2"]


async def test_iter_all_over_one_based_pages_with_an_empty_page_zero(
    make_tavus: MakeTavus,
) -> None:
    recorder = Recorder(paged(video_rows(5)))

    assert await collect(make_tavus, recorder) == ["v0", "v1", "v2", "v3", "v4"]
    assert pages_asked(recorder) == ["0", "1", "2", "3"]


async def test_iter_all_over_one_based_pages_that_refuse_page_zero(
    make_tavus: MakeTavus, sleep: RecordingSleep
) -> None:
    recorder = Recorder(rejects_page_zero(paged(video_rows(5))))

    assert await collect(make_tavus, recorder) == ["v0", "v1", "v2", "v3", "v4"]
    assert pages_asked(recorder) == ["0", "1", "2", "3"]
    assert sleep.delays == []


async def test_iter_all_over_one_based_pages_that_serve_page_one_for_zero(
    make_tavus: MakeTavus,
) -> None:
    recorder = Recorder(clamps_page_zero(paged(video_rows(5))))

    assert await collect(make_tavus, recorder) == ["v0", "v1", "v2", "v3", "v4"]
    assert pages_asked(recorder) == ["0", "1", "2", "3"]


async def test_iter_all_walks_on_when_the_server_caps_limit(make_tavus: MakeTavus) -> None:
    recorder = Recorder(paged_from_zero(video_rows(5), total_count=5, cap=2))

    assert await collect(make_tavus, recorder, limit=100) == ["v0", "v1", "v2", "v3", "v4"]


async def test_iter_all_without_total_stops_at_a_short_page(make_tavus: MakeTavus) -> None:
    recorder = Recorder(paged_from_zero(video_rows(3)))

    assert await collect(make_tavus, recorder) == ["v0", "v1", "v2"]
    assert pages_asked(recorder) == ["0", "1"]


async def test_iter_all_stops_when_pages_repeat(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": video_rows(2), "total_count": 50}))

    assert await collect(make_tavus, recorder) == ["v0", "v1"]
    assert pages_asked(recorder) == ["0", "1", "2"]


async def test_iter_all_of_nothing(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [], "total_count": 0}))

    assert await collect(make_tavus, recorder) == []
    assert len(recorder.requests) == 1


async def test_iter_all_raises_a_bad_request_past_page_zero(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": video_rows(2), "total_count": 4}), invalid_video)
    with pytest.raises(BadRequest):
        await collect(make_tavus, recorder)


async def test_rename_patches_the_name(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok())
    await make_tavus(recorder).videos.rename("abcd123", "Sales")

    assert (recorder.last.method, recorder.last.url.path) == ("PATCH", "/v2/videos/abcd123/name")
    assert recorder.body() == {"video_name": "Sales"}


async def test_rename_is_retried(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unavailable, ok())
    await make_tavus(recorder).videos.rename("abcd123", "Sales")

    assert len(recorder.requests) == 2


async def test_rename_refuses_a_blank_name(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok())
    with pytest.raises(ValueError, match="name"):
        await make_tavus(recorder).videos.rename("abcd123", "  ")

    assert recorder.requests == []


async def test_delete_is_soft_by_default(make_tavus: MakeTavus) -> None:
    recorder = Recorder(no_content)
    await make_tavus(recorder).videos.delete("abcd123")

    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", "/v2/videos/abcd123")
    assert recorder.last.url.query == b""


async def test_hard_delete_and_retries(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unreachable, server_error, no_content)
    await make_tavus(recorder).videos.delete("abcd123", hard=True)

    assert len(recorder.requests) == 3
    assert recorder.last.url.params["hard"] == "true"


@pytest.mark.parametrize("bad_id", ["", "v1/name", "v1?hard=true", ".."])
@pytest.mark.parametrize("call", ["get", "delete", "rename"])
async def test_path_parameters_are_validated(make_tavus: MakeTavus, bad_id: str, call: str) -> None:
    recorder = Recorder(ok(VERBOSE))
    args = (bad_id, "New name") if call == "rename" else (bad_id,)
    with pytest.raises(ValueError, match="video_id"):
        await getattr(make_tavus(recorder).videos, call)(*args)

    assert recorder.requests == []
