"""Video callbacks and polls: read by status, one event per state, posts only for results."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.domain import videos as domain
from bot.events import MalformedEvent
from bot.events.base import Polled
from bot.events.by_status import STALLED_SECONDS
from bot.events.videos import interpret_video, poll_video, video_finished
from bot.ingest import ingest, interpret
from bot.kinds import KINDS
from bot.tavus import TavusClient
from storage import OutboxDraft, Resource, Store
from tests.blocks.hostile import TEXTS, URLS
from tests.events.stored import stored
from tests.fakes.blockkit import assert_valid_message

VIDEO_ID = "8a4f94e736"
HOSTED = f"https://videos.tavus.io/video/{VIDEO_ID}"
DOWNLOAD = f"https://cdn.tavus.io/{VIDEO_ID}/high.mp4?download=1"
STREAM = f"https://cdn.tavus.io/{VIDEO_ID}/stream.m3u8"
THUMBNAIL = f"https://cdn.tavus.io/{VIDEO_ID}/thumbnail.jpg"


def resource(status: str | None = domain.QUEUED, **details: Any) -> Resource:
    return stored("video", VIDEO_ID, status=status, name="Welcome", details=details)


def callback(status: str, **fields: Any) -> dict[str, Any]:
    """What Tavus posts: naive timestamps, no thumbnails (tavus-callbacks.md)."""
    body: dict[str, Any] = {
        "video_id": VIDEO_ID,
        "video_name": "Welcome",
        "status": status,
        "replica_id": "r90bbd427f71",
        "data": {"script": "Hello"},
        "created_at": "2024-08-28 15:27:40.824457",
        "updated_at": "2024-08-28 15:29:19.802670",
    }
    if status == domain.READY:
        body.update(
            status_details="Your request has processed successfully!",
            generation_progress="100/100",
            hosted_url=HOSTED,
            download_url=DOWNLOAD,
            stream_url=STREAM,
        )
    return {**body, **fields}


def polled(status: str, **fields: Any) -> dict[str, Any]:
    """What a verbose GET shows for the same state, a little later and with thumbnails."""
    body = callback(status, updated_at="2024-08-28 15:31:02.000001")
    if status == domain.READY:
        body.update(still_image_thumbnail_url=THUMBNAIL, gif_thumbnail_url=THUMBNAIL + ".gif")
    return {**body, **fields}


def replies(drafts: tuple[OutboxDraft, ...]) -> list[dict[str, Any]]:
    return [draft.payload for draft in drafts if draft.action == "reply"]


def images(payload: dict[str, Any]) -> list[str]:
    return [b["image_url"] for b in payload.get("blocks", []) if b["type"] == "image"]


def test_queued_refreshes_the_card_only() -> None:
    found = interpret_video(resource(), callback("queued"))

    assert (found.dedup_key, found.status, found.event_type) == ("queued", "queued", "video.queued")
    assert [(d.action, d.merge) for d in found.drafts] == [("refresh_parent", True)]


@pytest.mark.parametrize(
    ("progress", "key", "percent"),
    [("40/100", "generating:40", 40), ("0.5/1", "generating:50", 50), ("70%", "generating:70", 70)],
)
def test_generating_is_one_event_per_step_and_only_moves_the_card(
    progress: str, key: str, percent: int
) -> None:
    found = interpret_video(resource(), callback("generating", generation_progress=progress))

    assert found.dedup_key == key
    assert found.status == domain.GENERATING
    assert found.details == {"progress": percent}
    assert [(d.action, d.merge) for d in found.drafts] == [("refresh_parent", True)]


@pytest.mark.parametrize("progress", [None, "", "soon", "40/0", 40, ["40/100"]])
def test_generating_without_a_readable_progress_is_still_generating(progress: object) -> None:
    found = interpret_video(resource(), callback("generating", generation_progress=progress))

    assert (found.dedup_key, found.status, found.details) == ("generating", "generating", {})


def test_ready_threads_the_links_and_marks_the_card_ready() -> None:
    found = interpret_video(resource(domain.GENERATING), polled("ready"))

    assert (found.dedup_key, found.status) == ("ready", "ready")
    assert [d.action for d in found.drafts] == ["reply", "refresh_parent"]
    (message,) = replies(found.drafts)
    assert HOSTED in message["text"]
    shown = json.dumps(message["blocks"])
    for url in (HOSTED, DOWNLOAD, STREAM):
        assert url in shown
    assert images(message) == [THUMBNAIL]
    assert found.details == {
        "hosted_url": HOSTED,
        "download_url": DOWNLOAD,
        "stream_url": STREAM,
        "thumbnail_url": THUMBNAIL,
        "progress": 100,
    }
    assert_valid_message(message["text"], message["blocks"])


def test_a_fast_video_is_ready_without_stream_or_thumbnail() -> None:
    body = callback("ready", stream_url=None)

    (message,) = replies(interpret_video(resource(), body).drafts)

    assert images(message) == []
    assert "Stream" not in json.dumps(message["blocks"])
    assert DOWNLOAD in json.dumps(message["blocks"])


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status_details": "Replica is not ready."}, "Replica is not ready."),
        ({"error_details": "Audio could not be decoded."}, "Audio could not be decoded."),
        ({"status_details": "  ", "error_details": None}, "Tavus gave no reason"),
        ({}, "Tavus gave no reason"),
    ],
)
def test_error_threads_the_reason_in_words(fields: dict[str, Any], reason: str) -> None:
    body = callback("error", generation_progress="0/100", download_url=None, **fields)

    found = interpret_video(resource(domain.GENERATING), body)

    assert (found.dedup_key, found.status) == ("error", "error")
    (message,) = replies(found.drafts)
    assert message["text"].startswith(f":x: The video could not be generated: {reason}.")
    assert "/tavus video" in message["text"]
    assert [d.action for d in found.drafts] == ["reply", "refresh_parent"]


def test_deleted_in_tavus_says_so_and_refreshes_the_card() -> None:
    found = interpret_video(resource(domain.READY), callback("deleted"))

    assert (found.dedup_key, found.status) == ("deleted", "deleted")
    (message,) = replies(found.drafts)
    assert "deleted" in message["text"]


@pytest.mark.parametrize("status", ["rendering", "READY_SOON", "x" * 500])
def test_an_unknown_status_is_stored_without_a_post(status: str) -> None:
    found = interpret_video(resource(), callback(status))

    assert found.drafts == ()
    assert found.status is None  # the card keeps what it knew
    assert found.event_type == domain.UNKNOWN
    assert len(found.dedup_key) < 100
    assert interpret_video(resource(), polled(status)).dedup_key == found.dedup_key


@pytest.mark.parametrize("status", [None, "", "   ", 3, True, ["ready"], {"s": "ready"}])
def test_a_body_without_a_readable_status_is_stored_without_a_post(status: object) -> None:
    found = interpret_video(resource(), {**callback("ready"), "status": status})

    assert (found.drafts, found.status, found.event_type) == ((), None, domain.UNKNOWN)
    assert found.dedup_key.startswith("odd:")
    again = interpret_video(resource(), {**polled("ready"), "status": status})
    assert again.dedup_key != found.dedup_key  # another body: a thumbnail was added


def test_status_is_read_whatever_its_case_or_spacing() -> None:
    assert interpret_video(resource(), callback(" Ready ")).dedup_key == "ready"


@pytest.mark.parametrize("status", ["queued", "ready", "error", "deleted"])
def test_a_callback_and_a_poll_of_one_state_are_one_event(status: str) -> None:
    called_back = interpret_video(resource(), callback(status))
    seen_by_poll = interpret_video(resource(), polled(status))

    assert called_back.dedup_key == seen_by_poll.dedup_key


def test_progress_seen_twice_is_one_event_and_steps_are_not() -> None:
    first = interpret_video(resource(), callback("generating", generation_progress="40/100"))
    again = interpret_video(resource(), polled("generating", generation_progress="40/100"))
    later = interpret_video(resource(), polled("generating", generation_progress="50/100"))

    assert first.dedup_key == again.dedup_key != later.dedup_key


def test_a_late_progress_cannot_undo_ready() -> None:
    late = interpret_video(resource(), callback("generating", generation_progress="90/100"))

    not_after = KINDS["video"].lifecycle.not_after(late.status)
    assert {"ready", "error", "deleted"} <= not_after
    assert "generating" in KINDS["video"].lifecycle.not_after("queued")


def test_once_ready_a_poll_with_the_thumbnail_posts_it_alone_once() -> None:
    ready_by_callback = resource(domain.READY, hosted_url=HOSTED)

    late = interpret_video(ready_by_callback, polled("ready"))

    assert late.dedup_key == "ready:thumbnail"
    assert late.status is None
    (message,) = replies(late.drafts)
    assert images(message) == [THUMBNAIL]
    assert HOSTED not in json.dumps(message)
    assert late.details["thumbnail_url"] == THUMBNAIL
    shown = resource(domain.READY, thumbnail_url=THUMBNAIL)
    assert interpret_video(shown, polled("ready")).dedup_key == "ready"  # a duplicate
    assert interpret_video(ready_by_callback, callback("ready")).dedup_key == "ready"


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_reasons_are_escaped_and_fit(value: object) -> None:
    found = interpret_video(resource(), callback("error", status_details=value))

    for draft in found.drafts:
        if draft.action == "reply":
            assert "<!channel>" not in draft.payload["text"]
            assert_valid_message(draft.payload["text"], draft.payload.get("blocks"))


@pytest.mark.parametrize("url", URLS)
def test_hostile_urls_never_become_broken_links_or_images(url: object) -> None:
    body = polled("ready", hosted_url=url, download_url=url, stream_url=url)
    body["still_image_thumbnail_url"] = url

    found = interpret_video(resource(), body)

    (message,) = replies(found.drafts)
    assert_valid_message(message["text"], message["blocks"])
    assert "<https://evil|click>" not in json.dumps(message)
    assert all(image.startswith("https://tavus.daily.co/") for image in images(message))
    for late in replies(interpret_video(resource(domain.READY), body).drafts):
        assert_valid_message(late["text"], late["blocks"])
        assert images(late)


def test_a_body_naming_another_video_is_refused() -> None:
    with pytest.raises(MalformedEvent):
        interpret(resource(), callback("ready", video_id="ffff000011"))


# -- through the store ------------------------------------------------------------------


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def wake(self) -> None:
        self.count += 1


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "t.db")
    try:
        yield opened
    finally:
        await opened.close()


async def test_through_ingest_a_poll_after_the_callback_posts_nothing_twice(store: Store) -> None:
    stored = await store.create_resource(
        kind="video",
        tavus_id=VIDEO_ID,
        team_id="T0001",
        owner_user_id="U1",
        channel_id="C0123",
        message_ts="1700000000.000100",
        status=domain.QUEUED,
    )
    notifier: Any = Wakes()

    async def feed(body: dict[str, Any]) -> bool:
        current = await store.get_resource_by_id(resource_id=stored.id)
        assert current is not None
        return await ingest(store=store, notifier=notifier, resource=current, body=body)

    assert await feed(polled("generating", generation_progress="40/100"))
    assert await feed(callback("ready", still_image_thumbnail_url=THUMBNAIL))
    assert not await feed(polled("ready"))
    assert await feed(polled("generating", generation_progress="90/100"))  # late, reordered

    after = await store.get_resource_by_id(resource_id=stored.id)
    assert after is not None and after.status == "ready"
    assert after.details["progress"] == 100  # a late report changes nothing
    events = [e.dedup_key for e in await store.list_events(resource_id=stored.id)]
    assert events == ["generating:40", "ready", "generating:90"]


# -- polling ------------------------------------------------------------------------------


async def test_poll_reads_the_verbose_get_as_a_callback() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=polled("ready"))

    async with TavusClient(api_key="k", transport=httpx.MockTransport(answer)) as tavus:
        found = await poll_video(tavus, resource())

    assert seen[0].url.path == f"/v2/videos/{VIDEO_ID}"
    assert seen[0].url.params["verbose"] == "true"
    assert found == Polled(bodies=(polled("ready"),), remote_status="ready")


@pytest.mark.parametrize(("status", "error"), [(400, "Invalid video_id"), (404, "Not found")])
async def test_a_video_tavus_no_longer_knows_is_gone(status: int, error: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": error})

    async with TavusClient(api_key="k", transport=httpx.MockTransport(answer)) as tavus:
        assert await poll_video(tavus, resource()) == Polled(gone=True)


@pytest.mark.parametrize(
    ("status", "finished"),
    [("queued", False), ("generating", False), ("ready", True), ("error", True), ("deleted", True)],
)
def test_finished_once_ready_failed_or_deleted(status: str, finished: bool) -> None:
    assert video_finished(resource(status), frozenset(), None, now=60.0) is finished


def test_a_video_stuck_in_the_queue_is_let_go() -> None:
    assert video_finished(resource("queued"), frozenset(), None, now=STALLED_SECONDS + 1)
