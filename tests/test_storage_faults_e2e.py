"""The running app under storage faults: the database locked by another process past the
busy timeout, its files read-only, no room to grow.

For each: a Tavus callback is answered 503 (so Tavus sends it again), never 200 for an event
that was not stored; /healthz is 503 and says why; the fault is logged in one line, with no
traceback from the workers that keep trying; and once the fault clears, with no restart, the
next callback is 200, /healthz is 200 and the event reaches its Slack thread, once. The
database passes PRAGMA integrity_check afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import storage.store
from bot.callback_tokens import new_callback_token
from bot.sandbox import SEED_PERSONA_ID
from handlers.shared.replies import CANNOT_SAVE
from storage import Resource
from tests.fakes.slack import FakeSlack
from tests.harness import Harness, Sandbox, app_settings, free_port, harness, tavus_sandbox
from tests.storage.faults import (
    fill_up,
    integrity,
    locked_by_another_process,
    make_room,
    read_only,
)

CHANNEL = "C123"
CONVERSATION_ID = "c0123456789abc"
JOINED = ":wave: The replica joined the call."
BUSY_MS = 200  # the app's busy timeout here: the lock outlasts it at once


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage.store, "BUSY_TIMEOUT_MS", BUSY_MS)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[FakeSlack, Sandbox]]:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        yield slack, sandbox


@contextlib.asynccontextmanager
async def app(world: tuple[FakeSlack, Sandbox], database: Path) -> AsyncIterator[Harness]:
    slack, sandbox = world
    port = free_port()
    settings = app_settings(
        slack=slack,
        tavus_url=sandbox.url,
        database_path=database,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        poll_interval_seconds=600,  # callbacks only: no polling of the made-up conversation
    )
    async with harness(slack, settings) as running:
        yield running


async def started_call(running: Harness) -> Resource:
    """A conversation as the app stores one it started: its card in the channel, a token."""
    card = await running.app.services.slack.chat_postMessage(channel=CHANNEL, text="card")
    return await running.app.services.store.create_resource(
        kind="conversation",
        tavus_id=CONVERSATION_ID,
        team_id="T0001",
        owner_user_id="U123",
        channel_id=CHANNEL,
        message_ts=card["ts"],
        status="waiting",
        callback_token=new_callback_token(),
    )


def joined() -> dict[str, Any]:
    """Big enough to need new pages, so that a database with no room refuses it."""
    return {
        "conversation_id": CONVERSATION_ID,
        "event_type": "system.replica_joined",
        "message_type": "system",
        "timestamp": "2025-07-11T06:40:00Z",
        "properties": {"replica_id": "r79e1c033f", "note": "x" * 64_000},
    }


async def callback(running: Harness, resource: Resource) -> httpx.Response:
    assert resource.callback_token is not None
    return await running.callback(resource.callback_token, joined())


async def health(running: Harness) -> httpx.Response:
    return await running.http.get(f"{running.url}/healthz")


async def notifier_fails_too(running: Harness, failed_before: int) -> None:
    """Wake the notifier and wait until its own write failed as well: the log is then
    checked with a worker that keeps trying in it."""
    store = running.app.services.store
    for _ in range(500):
        running.app.services.notifier.wake()
        if store.failed_writes > failed_before:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the notifier never tried to write")


def assert_told_once_without_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    lines = [r for r in caplog.records if "cannot take writes" in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno == logging.ERROR
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert tracebacks == [], [r.getMessage() for r in tracebacks]


async def assert_refused(
    running: Harness, resource: Resource, why: str, *, notifier_fails: bool = True
) -> None:
    answered = await callback(running, resource)
    assert answered.status_code == 503
    assert answered.json() == {"ok": False, "error": "storage unavailable; try again"}
    if notifier_fails:
        await notifier_fails_too(running, running.app.services.store.failed_writes)
    unhealthy = await health(running)
    assert unhealthy.status_code == 503
    assert unhealthy.json()["database"] is False
    assert why in unhealthy.json()["database_problem"]


async def assert_recovered(running: Harness, resource: Resource) -> None:
    healthy = await health(running)
    assert healthy.status_code == 200, healthy.json()
    assert healthy.json()["database_problem"] is None
    assert (await callback(running, resource)).status_code == 200
    await running.slack.wait_for(
        "chat.postMessage", count=2, predicate=lambda c: c.args["channel"] == CHANNEL
    )
    assert resource.message_ts is not None
    replies = running.slack.messages(channel=CHANNEL, thread_ts=resource.message_ts)
    assert [m["text"] for m in replies] == [JOINED]
    assert (await health(running)).status_code == 200


async def test_locked_by_another_process(
    world: tuple[FakeSlack, Sandbox], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "t.db"
    async with app(world, database) as running:
        resource = await started_call(running)
        async with locked_by_another_process(database):
            await assert_refused(running, resource, "locked by another process")
            assert_told_once_without_tracebacks(caplog)
        await assert_recovered(running, resource)
    assert integrity(database) == ["ok"]


async def test_database_files_made_read_only(
    world: tuple[FakeSlack, Sandbox], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "t.db"
    async with app(world, database) as running:
        resource = await started_call(running)
    with read_only(database):
        restarted = app(world, database)
        running = await restarted.__aenter__()  # the app restarts onto read-only files
        try:
            await assert_refused(running, resource, "read-only")
            assert_told_once_without_tracebacks(caplog)
        except BaseException:
            await restarted.__aexit__(None, None, None)
            raise
    try:
        await assert_recovered(running, resource)
    finally:
        await restarted.__aexit__(None, None, None)
    assert integrity(database) == ["ok"]


async def test_no_room_left_to_grow(
    world: tuple[FakeSlack, Sandbox], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "t.db"
    async with app(world, database) as running:
        resource = await started_call(running)
        store = running.app.services.store
        await fill_up(store)
        # The notifier's writes change rows in place: they need no room, and go through.
        await assert_refused(running, resource, "full", notifier_fails=False)
        assert_told_once_without_tracebacks(caplog)
        await make_room(store)
        await assert_recovered(running, resource)
    assert integrity(database) == ["ok"]


async def test_a_command_during_a_fault_is_told_so_without_a_traceback(
    world: tuple[FakeSlack, Sandbox], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "t.db"
    async with app(world, database) as running:
        async with locked_by_another_process(database):
            response = await running.command(f"call {SEED_PERSONA_ID}")
            assert response.status_code == 200
            (answer,) = await running.slack.wait_for_response()
        assert answer["text"] == CANNOT_SAVE
        assert [r for r in caplog.records if r.exc_info] == []
        sandbox = world[1]
        assert sandbox.state.conversations == {}


async def test_an_event_during_a_fault_is_answered_503_for_slack_to_resend(
    world: tuple[FakeSlack, Sandbox], tmp_path: Path
) -> None:
    database = tmp_path / "t.db"
    async with app(world, database) as running:
        async with locked_by_another_process(database):
            refused = await running.event(
                {"type": "app_home_opened", "user": "U123", "tab": "home"}
            )
        assert refused.status_code == 503
        accepted = await running.event({"type": "app_home_opened", "user": "U123", "tab": "home"})
        assert accepted.status_code == 200
        await running.slack.wait_for("views.publish")
