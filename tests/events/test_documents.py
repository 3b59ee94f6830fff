"""Document callbacks and polls: read by status, one event per state, a recrawl's result news
of its own, late news of a known result stored without a post."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.domain import documents as domain
from bot.events import MalformedEvent
from bot.events.base import Polled
from bot.events.by_status import STALLED_SECONDS
from bot.events.documents import (
    document_finished,
    interpret_document,
    poll_document,
)
from bot.ingest import ingest, interpret
from bot.kinds import KINDS
from bot.tavus import TavusClient
from storage import OutboxDraft, Resource, Store
from tests.blocks.hostile import TEXTS
from tests.events.stored import stored
from tests.fakes.blockkit import assert_valid_message

DOCUMENT_ID = "d8-5c71baca86fc"
SITE = "https://docs.example.com/"


def resource(status: str | None = domain.STARTED, **details: Any) -> Resource:
    return stored("document", DOCUMENT_ID, status=status, name="Docs site", details=details)


def body(status: str | None, **fields: Any) -> dict[str, Any]:
    """The document object, as the spec's create, GET and recrawl answers show it."""
    answer: dict[str, Any] = {
        "document_id": DOCUMENT_ID,
        "document_name": "Docs site",
        "document_url": SITE,
        "status": status,
        "progress": None,
        "error_message": None,
        "created_at": "2024-01-01T12:00:00Z",
        "updated_at": "2024-01-01T12:05:00Z",
        "callback_url": "https://bot.example/tavus/callbacks/token",
        "tags": ["docs"],
        "crawl_config": {"depth": 2, "max_pages": 10},
        "crawled_urls": None,
        "crawl_count": 0,
    }
    return {**answer, **fields}


def replies(drafts: tuple[OutboxDraft, ...]) -> list[dict[str, Any]]:
    return [draft.payload for draft in drafts if draft.action == "reply"]


# -- one run -------------------------------------------------------------------------------


def test_started_only_refreshes_the_card() -> None:
    found = interpret_document(resource("starting"), body("started"))

    assert (found.dedup_key, found.status, found.event_type) == (
        "started",
        "started",
        "document.started",
    )
    assert [(d.action, d.merge) for d in found.drafts] == [("refresh_parent", True)]


@pytest.mark.parametrize(
    ("progress", "key", "percent"),
    [(40, "processing:40", 40), ("40/100", "processing:40", 40), (None, "processing", None)],
)
def test_progress_refreshes_the_card_once_per_step(
    progress: object, key: str, percent: int | None
) -> None:
    found = interpret_document(resource(), body("processing", progress=progress))

    assert (found.dedup_key, found.status) == (key, "processing")
    assert found.details == {"progress": percent}
    assert replies(found.drafts) == []


def test_ready_threads_the_news_and_remembers_the_pages() -> None:
    pages = [SITE, SITE + "a", SITE + "b"]
    found = interpret_document(resource("processing"), body("ready", crawled_urls=pages))

    assert (found.dedup_key, found.status) == ("ready", "ready")
    (message,) = replies(found.drafts)
    assert message["text"].startswith(":white_check_mark: *Docs site* is ready · 3 pages read")
    assert found.details == {"error": None, "pages": 3, "settled": 0, "progress": None}
    assert [d.action for d in found.drafts] == ["reply", "refresh_parent"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("file_download_failed", "Tavus could not download the file"),
        ("file_size_too_large", "larger than Tavus's 50 MB limit"),
        ("file_format_unsupported", "pdf, txt, docx"),
        ("contact_support", "support@tavus.io"),
        ("a brand new code", "a brand new code"),
        (None, "Tavus gave no reason"),
    ],
)
def test_error_threads_the_reason_in_words(code: str | None, words: str) -> None:
    found = interpret_document(resource("processing"), body("error", error_message=code))

    assert (found.dedup_key, found.status) == ("error", "error")
    (message,) = replies(found.drafts)
    assert message["text"].startswith(":x: Tavus could not add *Docs site*: ")
    assert words in message["text"]
    assert "/tavus document add" in message["text"]
    assert found.details["error"] == code


def test_a_callback_and_a_poll_of_one_state_are_one_event() -> None:
    called_back = interpret_document(resource("processing"), body("ready"))
    seen_by_poll = interpret_document(resource("processing"), body("ready", callback_url=None))

    assert called_back.dedup_key == seen_by_poll.dedup_key == "ready"


def test_an_older_body_naming_its_uuid_reads_the_same() -> None:
    older = body("ready")
    older["uuid"] = older.pop("document_id")

    assert interpret_document(resource("processing"), older).dedup_key == "ready"


@pytest.mark.parametrize("status", ["queued", "deleted", None, ""])
def test_an_unknown_status_is_stored_without_a_post(status: str | None) -> None:
    found = interpret_document(resource(), body(status))

    assert (found.drafts, found.status, found.event_type) == ((), None, domain.UNKNOWN)


def test_a_late_processing_cannot_undo_ready() -> None:
    assert {"ready", "error"} <= KINDS["document"].lifecycle.not_after("processing")


def test_a_body_naming_another_document_is_refused() -> None:
    with pytest.raises(MalformedEvent):
        interpret(resource(), body("ready", document_id="d1-000000000000"))


def test_a_body_naming_another_document_by_its_older_key_is_refused() -> None:
    with pytest.raises(MalformedEvent, match="uuid"):
        older = {k: v for k, v in body("error").items() if k != "document_id"}
        interpret(resource(), {**older, "uuid": "d1-000000000000"})


# -- recrawls ------------------------------------------------------------------------------


def settled(status: str = domain.READY, generation: int = 0, asked: int | None = None) -> Resource:
    """A document whose result of ``generation`` is known; ``asked``: a recrawl asked since."""
    details: dict[str, Any] = {"settled": generation}
    if asked is not None or generation:
        details["recrawl"] = generation if asked is None else asked
    return resource(status, **details)


def test_the_known_result_seen_again_is_the_same_event() -> None:
    found = interpret_document(settled(), body("ready"))

    assert (found.dedup_key, found.status, found.drafts) == ("ready", None, ())


def test_a_recrawl_asked_from_slack_is_a_new_generation() -> None:
    asked = settled(asked=1)

    recrawling = interpret_document(asked, body("recrawling"))
    stale = interpret_document(asked, body("ready"))  # the old state, before Tavus moved

    assert (recrawling.dedup_key, recrawling.status) == ("recrawl:1:recrawling", "recrawling")
    assert [d.action for d in recrawling.drafts] == ["refresh_parent"]
    assert (stale.dedup_key, stale.status, stale.drafts) == ("ready", None, ())


def test_the_second_ready_is_news_of_its_own() -> None:
    running = resource("recrawling", recrawl=1, settled=0)

    found = interpret_document(running, body("ready", crawled_urls=[SITE]))

    assert (found.dedup_key, found.status) == ("recrawl:1:ready", "ready")
    (message,) = replies(found.drafts)
    assert message["text"].startswith(":white_check_mark: Recrawled: *Docs site* is up to date")
    assert found.details["settled"] == 1


def test_a_failed_recrawl_says_when_to_try_again() -> None:
    running = resource("recrawling", recrawl=2, settled=1)

    found = interpret_document(running, body("error", error_message="website_processing_failed"))

    assert found.dedup_key == "recrawl:2:error"
    (message,) = replies(found.drafts)
    assert message["text"].startswith(":x: The recrawl of *Docs site* failed: Tavus could not")
    assert f"/tavus document recrawl {DOCUMENT_ID}" in message["text"]


@pytest.mark.parametrize("status", ["started", "processing", "recrawling"])
def test_late_news_of_a_known_result_changes_nothing(status: str) -> None:
    found = interpret_document(settled(generation=1), body(status, progress=50))

    assert (found.dedup_key, found.status, found.drafts) == (f"recrawl:1:{status}:50", None, ())


def test_progress_during_a_recrawl_is_keyed_by_its_generation() -> None:
    found = interpret_document(resource("recrawling", recrawl=3), body("processing", progress=20))

    assert (found.dedup_key, found.status) == ("recrawl:3:processing:20", "processing")


# -- hostile values -------------------------------------------------------------------------


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_reasons_and_names_are_escaped_and_fit(value: object) -> None:
    named = Resource(**{**resource("processing").__dict__, "name": value})
    found = interpret_document(named, body("error", error_message=value, document_name=value))
    (message,) = replies(found.drafts)

    assert "<!channel>" not in message["text"]
    assert "<https://evil|click>" not in json.dumps(message)
    assert_valid_message(message["text"], message["blocks"])


@pytest.mark.parametrize("progress", [True, -5, 250, "lots", [1], {"a": 1}, "9" * 100])
def test_odd_progress_is_read_leniently(progress: object) -> None:
    found = interpret_document(resource(), body("processing", progress=progress))

    assert found.status == "processing"
    assert found.details["progress"] in (None, 0, 100)


# -- through the store ---------------------------------------------------------------------


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


async def test_through_ingest_a_recrawl_reports_ready_twice_and_a_poll_never(store: Store) -> None:
    stored = await store.create_resource(
        kind="document",
        tavus_id=DOCUMENT_ID,
        team_id="T0001",
        owner_user_id="U1",
        channel_id="C0123",
        message_ts="1700000000.000100",
        status=domain.STARTED,
    )
    notifier: Any = Wakes()

    async def feed(state: dict[str, Any]) -> bool:
        current = await store.get_resource_by_id(resource_id=stored.id)
        assert current is not None
        return await ingest(store=store, notifier=notifier, resource=current, body=state)

    assert await feed(body("processing", progress=50))
    assert await feed(body("ready"))
    assert not await feed(body("ready", callback_url=None))  # the poll after the callback
    assert await feed(body("processing", progress=90))  # late: stored, nothing changes
    await store.update_resource(resource_id=stored.id, details={"recrawl": 1})  # asked
    assert not await feed(body("ready"))  # before Tavus moved: nothing new
    assert await feed(body("recrawling"))
    assert await feed(body("ready"))
    assert not await feed(body("recrawling"))  # late again

    after = await store.get_resource_by_id(resource_id=stored.id)
    assert after is not None and after.status == "ready"
    events = await store.list_events(resource_id=stored.id)
    assert [e.dedup_key for e in events] == [
        "processing:50",
        "ready",
        "processing:90",
        "recrawl:1:recrawling",
        "recrawl:1:ready",
    ]


# -- polling ------------------------------------------------------------------------------


async def test_poll_reads_the_get_as_a_callback() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/v2/documents/{DOCUMENT_ID}"
        return httpx.Response(200, json=body("processing", progress=30))

    async with TavusClient(api_key="test-api-key", transport=httpx.MockTransport(answer)) as tavus:
        found = await poll_document(tavus, resource())

    assert found == Polled(bodies=(body("processing", progress=30),), remote_status="processing")


async def test_an_unknown_document_is_gone() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "Document not found"})

    async with TavusClient(api_key="test-api-key", transport=httpx.MockTransport(answer)) as tavus:
        assert await poll_document(tavus, resource()) == Polled(gone=True)


@pytest.mark.parametrize(
    ("status", "finished"),
    [
        ("started", False),
        ("processing", False),
        ("recrawling", False),
        ("ready", True),
        ("error", True),
        ("deleted", True),
    ],
)
def test_finished_once_it_has_a_result(status: str, finished: bool) -> None:
    assert document_finished(resource(status), frozenset(), None, now=60.0) is finished


def test_a_document_stuck_for_hours_is_let_go() -> None:
    assert document_finished(resource("processing"), frozenset(), None, STALLED_SECONDS + 1)
