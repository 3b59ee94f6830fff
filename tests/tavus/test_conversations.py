from __future__ import annotations

import pytest

from bot.tavus import ServerError, TavusConnectionError

from .conftest import MakeTavus, RecordingSleep
from .mock_api import (
    CONVERSATION,
    Recorder,
    no_content,
    ok,
    paged,
    plain_text_ok,
    server_error,
    unreachable,
)


async def test_create_sends_only_given_keys(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CONVERSATION))
    conversation = await make_tavus(recorder).conversations.create(
        persona_id="p5317866",
        conversation_name="Standup",
        document_tags=("sales",),
        test_mode=False,
        properties={"max_call_duration": 600, "participant_left_timeout": 30},
    )

    assert recorder.last.method == "POST"
    assert recorder.last.url.path == "/v2/conversations"
    assert recorder.body() == {
        "persona_id": "p5317866",
        "conversation_name": "Standup",
        "document_tags": ["sales"],
        "test_mode": False,
        "properties": {"max_call_duration": 600, "participant_left_timeout": 30},
    }
    assert conversation.conversation_url == "https://tavus.daily.co/c123"


async def test_create_needs_a_persona_or_replica(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CONVERSATION))
    with pytest.raises(ValueError):
        await make_tavus(recorder).conversations.create(conversation_name="x")

    assert recorder.requests == []


async def test_create_is_not_retried_on_500(make_tavus: MakeTavus, sleep: RecordingSleep) -> None:
    recorder = Recorder(server_error, ok(CONVERSATION))
    with pytest.raises(ServerError):
        await make_tavus(recorder).conversations.create(replica_id="r1")

    assert len(recorder.requests) == 1
    assert sleep.delays == []


async def test_create_is_not_retried_on_connection_error(make_tavus: MakeTavus) -> None:
    recorder = Recorder(unreachable, ok(CONVERSATION))
    with pytest.raises(TavusConnectionError):
        await make_tavus(recorder).conversations.create(replica_id="r1")

    assert len(recorder.requests) == 1


async def test_get_verbose_asks_for_events(make_tavus: MakeTavus) -> None:
    payload = {
        **CONVERSATION,
        "status": "ended",
        "events": [{"event_type": "system.shutdown", "properties": {"shutdown_reason": "x"}}],
    }
    recorder = Recorder(ok(payload))
    conversation = await make_tavus(recorder).conversations.get("c123", verbose=True)

    assert recorder.last.url.params["verbose"] == "true"
    assert conversation.shutdown_reason == "x"


async def test_get_without_verbose_sends_no_query(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok(CONVERSATION))
    await make_tavus(recorder).conversations.get("c123")

    assert recorder.last.url.query == b""


async def test_list_sends_filters_and_returns_a_page(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok({"data": [CONVERSATION], "total_count": 31}))
    page = await make_tavus(recorder).conversations.list(page=2, limit=5, status="active")

    assert dict(recorder.last.url.params) == {"page": "2", "limit": "5", "status": "active"}
    assert [c.conversation_id for c in page.items] == ["c123"]
    assert (page.total_count, page.page, page.limit) == (31, 2, 5)


async def test_iter_all_walks_three_pages(make_tavus: MakeTavus) -> None:
    rows = [{**CONVERSATION, "conversation_id": f"c{i}"} for i in range(5)]
    recorder = Recorder(paged(rows))
    found = [c async for c in make_tavus(recorder).conversations.iter_all(limit=2)]

    assert [c.conversation_id for c in found] == ["c0", "c1", "c2", "c3", "c4"]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]


async def test_iter_all_stops_at_a_short_page(make_tavus: MakeTavus) -> None:
    rows = [{**CONVERSATION, "conversation_id": f"c{i}"} for i in range(3)]
    recorder = Recorder(paged(rows, total_count=100))
    found = [c async for c in make_tavus(recorder).conversations.iter_all(limit=2)]

    assert len(found) == 3
    assert len(recorder.requests) == 2


async def test_end_posts_to_end(make_tavus: MakeTavus) -> None:
    recorder = Recorder(ok())
    await make_tavus(recorder).conversations.end("c123")

    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v2/conversations/c123/end")


async def test_end_accepts_a_plain_text_answer(make_tavus: MakeTavus) -> None:
    await make_tavus(plain_text_ok).conversations.end("c123")


async def test_delete_sends_delete(make_tavus: MakeTavus) -> None:
    recorder = Recorder(no_content)
    await make_tavus(recorder).conversations.delete("c123")

    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", "/v2/conversations/c123")
    assert "hard" not in recorder.last.url.params


async def test_hard_delete_asks_for_the_artifacts_too(make_tavus: MakeTavus) -> None:
    recorder = Recorder(no_content)
    await make_tavus(recorder).conversations.delete("c123", hard=True)

    assert recorder.last.url.params["hard"] == "true"


@pytest.mark.parametrize("bad_id", ["", "  ", "c1/end", "..", "c1?x=1", "c1#frag", "c 1"])
@pytest.mark.parametrize("call", ["get", "end", "delete"])
async def test_path_parameters_are_validated(make_tavus: MakeTavus, bad_id: str, call: str) -> None:
    recorder = Recorder(ok(CONVERSATION))
    with pytest.raises(ValueError, match="conversation_id"):
        await getattr(make_tavus(recorder).conversations, call)(bad_id)

    assert recorder.requests == []
