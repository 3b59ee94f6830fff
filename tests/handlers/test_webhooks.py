"""``POST /tavus/callbacks/{token}``: authenticate, parse, store once, answer fast."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.callback_tokens import new_callback_token
from storage import Resource
from tests.harness import Harness, app_world, take_write_lock

CONVERSATION_ID = "c0123456789ab"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Harness]:
    async with app_world(tmp_path) as (h, sandbox):
        yield h


async def _conversation(running: Harness, *, message_ts: str | None = None) -> Resource:
    slack_post = await running.app.services.slack.chat_postMessage(channel="C123", text="card")
    return await running.app.services.store.create_resource(
        kind="conversation",
        tavus_id=CONVERSATION_ID,
        team_id="T0001",
        owner_user_id="U123",
        channel_id="C123",
        message_ts=message_ts or slack_post["ts"],
        status="waiting",
        callback_token=new_callback_token(),
    )


def _joined(conversation_id: str = CONVERSATION_ID) -> dict[str, object]:
    return {
        "conversation_id": conversation_id,
        "event_type": "system.replica_joined",
        "message_type": "system",
        "timestamp": "2025-07-11T06:40:00Z",
        "properties": {"replica_id": "r79e1c033f"},
    }


def _counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        outbox = db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    return events, outbox


async def test_unknown_token_is_404(running: Harness, tmp_path: Path) -> None:
    await _conversation(running)
    response = await running.callback(new_callback_token(), _joined())
    assert response.status_code == 404
    assert _counts(tmp_path / "t.db") == (0, 0)


async def test_token_of_wrong_shape_is_404(running: Harness) -> None:
    response = await running.callback("x' OR '1'='1", _joined())
    assert response.status_code == 404


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
async def test_body_that_is_not_a_json_object_is_400(
    running: Harness, tmp_path: Path, body: bytes
) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    response = await running.callback(resource.callback_token, body)
    assert response.status_code == 400
    assert _counts(tmp_path / "t.db") == (0, 0)


async def test_body_over_one_mebibyte_is_413(running: Harness, tmp_path: Path) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = await running.callback(resource.callback_token, body)
    assert response.status_code == 413
    assert _counts(tmp_path / "t.db") == (0, 0)


async def test_callback_naming_another_conversation_is_400(
    running: Harness, tmp_path: Path
) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    response = await running.callback(resource.callback_token, _joined("cffffffffffff"))
    assert response.status_code == 400
    assert _counts(tmp_path / "t.db") == (0, 0)


async def test_callback_delivered_twice_posts_once(running: Harness) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    first = await running.callback(resource.callback_token, _joined())
    second = await running.callback(resource.callback_token, _joined())
    assert (first.status_code, second.status_code) == (200, 200)
    await running.slack.wait_for("chat.update")
    replies = running.slack.messages(thread_ts=resource.message_ts)
    assert [m["text"] for m in replies] == [":wave: The replica joined the call."]


async def test_unknown_event_type_is_stored_without_a_post(
    running: Harness, tmp_path: Path
) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    body = {"conversation_id": CONVERSATION_ID, "event_type": "system.something_new"}
    response = await running.callback(resource.callback_token, body)
    assert response.status_code == 200
    assert _counts(tmp_path / "t.db") == (1, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": CONVERSATION_ID},  # no event_type at all
        {"conversation_id": CONVERSATION_ID, "event_type": 7, "properties": "odd"},
        {"objective_name": "collect_email", "output_variables": {"email": "a@b.c"}},
        {"properties": {"guardrail": "no_pricing"}, "conversation_id": CONVERSATION_ID},
        {
            "conversation_id": CONVERSATION_ID,
            "event_type": "application.transcription_ready",
            "properties": {"transcript": "not a list"},
        },
    ],
)
async def test_any_body_for_a_known_token_is_stored_and_answered_200(
    running: Harness, tmp_path: Path, body: dict[str, object]
) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    response = await running.callback(resource.callback_token, body)
    assert response.status_code == 200
    assert _counts(tmp_path / "t.db")[0] == 1


@pytest.mark.parametrize("depth", [65, 10_000])
async def test_json_nested_too_deep_is_400(running: Harness, tmp_path: Path, depth: int) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    body = b'{"a": ' * depth + b"1" + b"}" * depth
    response = await running.callback(resource.callback_token, body)
    assert response.status_code == 400
    assert _counts(tmp_path / "t.db") == (0, 0)


async def test_a_callback_that_beats_the_create_answer_is_kept_and_names_the_job(
    running: Harness, tmp_path: Path
) -> None:
    store = running.app.services.store
    token = new_callback_token()
    pending, _ = await store.begin_job(
        kind="conversation",
        team_id="T0001",
        owner_user_id="U123",
        channel_id="C123",
        callback_token=token,
    )
    response = await running.callback(token, _joined())
    assert response.status_code == 200
    adopted = await store.get_resource_by_id(resource_id=pending.id)
    assert adopted is not None and adopted.tavus_id == CONVERSATION_ID
    # The held card goes out now, and the event's reply lands under it.
    await running.slack.wait_for("chat.postMessage", count=2)
    (card,) = [m for m in running.slack.messages("C123") if m["thread_ts"] is None]
    replies = running.slack.messages("C123", thread_ts=card["ts"])
    assert [m["text"] for m in replies] == [":wave: The replica joined the call."]


async def test_a_database_that_cannot_write_answers_503_so_tavus_retries(
    running: Harness, tmp_path: Path
) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    blocker = await take_write_lock(tmp_path / "t.db")  # as another process would
    try:
        response = await running.callback(resource.callback_token, _joined())
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert _counts(tmp_path / "t.db") == (0, 0)
    again = await running.callback(resource.callback_token, _joined())
    assert again.status_code == 200


@pytest.mark.parametrize("named", ["{'a': 1}", "12345", "   ", "p1234abcd", "c0123456789ab"])
async def test_a_pending_job_adopts_only_a_fresh_id_of_its_kind(
    running: Harness, named: str
) -> None:
    store = running.app.services.store
    await _conversation(running)  # holds c0123456789ab already
    token = new_callback_token()
    pending, _ = await store.begin_job(
        kind="conversation",
        team_id="T0001",
        owner_user_id="U123",
        channel_id="C123",
        callback_token=token,
    )

    response = await running.callback(token, {**_joined(), "conversation_id": named})

    assert response.status_code == 400
    still = await store.get_resource_by_id(resource_id=pending.id)
    assert still is not None and still.is_pending


@pytest.mark.parametrize("timestamp", [float("nan"), float("inf"), 1e400])
async def test_a_shutdown_with_a_non_finite_timestamp_is_stored(
    running: Harness, tmp_path: Path, timestamp: float
) -> None:
    resource = await _conversation(running)
    assert resource.callback_token is not None
    body = {
        "conversation_id": CONVERSATION_ID,
        "event_type": "system.shutdown",
        "timestamp": timestamp,
        "properties": {"shutdown_reason": "participant_left_timeout"},
    }
    response = await running.callback(resource.callback_token, json.dumps(body).encode())
    assert response.status_code == 200
    assert _counts(tmp_path / "t.db")[0] == 1
