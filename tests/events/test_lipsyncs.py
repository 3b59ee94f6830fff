"""Lip-sync callbacks and polls: read by status, in the current and the legacy spelling."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.domain import lipsyncs as domain
from bot.events import MalformedEvent
from bot.events.base import Polled
from bot.events.lipsyncs import interpret_lipsync, lipsync_finished, poll_lipsync
from bot.ingest import interpret
from bot.kinds import KINDS
from bot.tavus import TavusClient
from storage import OutboxDraft, Resource
from tests.blocks.hostile import TEXTS, URLS
from tests.events.stored import stored
from tests.fakes.blockkit import assert_valid_message

LIPSYNC_ID = "wf85407a7ba9d"
VIDEO_URL = f"https://lipsync-prod.s3.amazonaws.com/{LIPSYNC_ID}.mp4"


def resource(status: str | None = domain.STARTED) -> Resource:
    return stored("lipsync", LIPSYNC_ID, status=status, name="Dubbed")


def body(status: str, **fields: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "lipsync_id": LIPSYNC_ID,
        "lipsync_name": "Dubbed",
        "request_id": LIPSYNC_ID,
        "request_name": "Dubbed",
        "status": status,
        "created_at": "2024-08-28 15:27:40.824457",
        "video_url": VIDEO_URL if status == domain.COMPLETED else None,
    }
    return {**answer, **fields}


def replies(drafts: tuple[OutboxDraft, ...]) -> list[dict[str, Any]]:
    return [draft.payload for draft in drafts if draft.action == "reply"]


def test_started_only_refreshes_the_card() -> None:
    found = interpret_lipsync(resource(), body("started"))

    assert (found.dedup_key, found.status) == ("started", "started")
    assert [(d.action, d.merge) for d in found.drafts] == [("refresh_parent", True)]


def test_completed_threads_the_video_link() -> None:
    found = interpret_lipsync(resource(), body("completed"))

    assert (found.dedup_key, found.status) == ("completed", "completed")
    (message,) = replies(found.drafts)
    assert VIDEO_URL in message["text"]
    assert VIDEO_URL in json.dumps(message["blocks"])
    assert found.details == {"video_url": VIDEO_URL}
    assert [d.action for d in found.drafts] == ["reply", "refresh_parent"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"error_message": "Audio is silent."}, "Audio is silent."),
        ({"status_details": "No face found."}, "No face found."),
        ({}, "Tavus gave no reason"),
    ],
)
def test_error_threads_the_reason(fields: dict[str, Any], reason: str) -> None:
    found = interpret_lipsync(resource(), body("error", **fields))

    assert found.status == domain.ERROR
    (message,) = replies(found.drafts)
    assert message["text"].startswith(f":x: The lip-sync failed: {reason}.")
    assert "/tavus lipsync" in message["text"]


def test_a_legacy_body_reads_the_same() -> None:
    legacy = body("completed")
    del legacy["lipsync_id"], legacy["lipsync_name"]

    assert interpret_lipsync(resource(), legacy).dedup_key == "completed"


@pytest.mark.parametrize("status", ["queued", "processing"])
def test_an_unknown_status_is_stored_without_a_post(status: str) -> None:
    found = interpret_lipsync(resource(), body(status))

    assert (found.drafts, found.status, found.event_type) == ((), None, domain.UNKNOWN)


def test_a_callback_and_a_poll_of_one_state_are_one_event() -> None:
    called_back = interpret_lipsync(resource(), body("completed", callback_url="https://x/cb"))
    seen_by_poll = interpret_lipsync(resource(), body("completed"))

    assert called_back.dedup_key == seen_by_poll.dedup_key


def test_a_late_started_cannot_undo_completed() -> None:
    assert {"completed", "error"} <= KINDS["lipsync"].lifecycle.not_after("started")


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_reasons_are_escaped_and_fit(value: object) -> None:
    (message,) = replies(interpret_lipsync(resource(), body("error", error_message=value)).drafts)

    assert "<!channel>" not in message["text"]
    assert_valid_message(message["text"], message["blocks"])


@pytest.mark.parametrize("url", URLS)
def test_hostile_urls_fit(url: object) -> None:
    (message,) = replies(interpret_lipsync(resource(), body("completed", video_url=url)).drafts)

    assert "<https://evil|click>" not in json.dumps(message)
    assert_valid_message(message["text"], message["blocks"])


def test_a_body_naming_another_lipsync_is_refused() -> None:
    with pytest.raises(MalformedEvent):
        interpret(resource(), body("completed", lipsync_id="w0000000000"))


def test_a_body_naming_another_lipsync_by_its_legacy_key_is_refused() -> None:
    with pytest.raises(MalformedEvent, match="request_id"):
        legacy = {k: v for k, v in body("error").items() if k != "lipsync_id"}
        interpret(resource(), {**legacy, "request_id": "w0000000000"})


async def test_poll_reads_the_get_as_a_callback() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/v2/lipsync/{LIPSYNC_ID}"
        return httpx.Response(200, json=body("completed"))

    async with TavusClient(api_key="k", transport=httpx.MockTransport(answer)) as tavus:
        found = await poll_lipsync(tavus, resource())

    assert found == Polled(bodies=(body("completed"),), remote_status="completed")


async def test_an_unknown_lipsync_is_gone() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"message": "Invalid lipsync_id"})

    async with TavusClient(api_key="k", transport=httpx.MockTransport(answer)) as tavus:
        assert await poll_lipsync(tavus, resource()) == Polled(gone=True)


@pytest.mark.parametrize(
    ("status", "finished"), [("started", False), ("completed", True), ("error", True)]
)
def test_finished_once_completed_or_failed(status: str, finished: bool) -> None:
    assert lipsync_finished(resource(status), frozenset(), None, now=60.0) is finished
