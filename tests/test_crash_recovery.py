"""Killing the process between storing a callback and posting it loses nothing, posts once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.callback_tokens import new_callback_token
from tests.fakes.slack import FakeSlack
from tests.harness import SIGNING_SECRET, free_port, tavus_sandbox

CONVERSATION_ID = "c00000000c4a5"
JOINED = {
    "conversation_id": CONVERSATION_ID,
    "event_type": "system.replica_joined",
    "properties": {"replica_id": "r79e1c033f"},
}


def _environment(slack: FakeSlack, tavus_url: str, database: Path, port: int) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TAVUS_"))}
    return {
        **keep,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "TAVUS_API_KEY": "sandbox-test-key",
        "TAVUS_API_URL": tavus_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "DEBUG",
    }


@contextmanager
def _app_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=out, stderr=out
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


async def _until_healthy(base_url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                if (await http.get(f"{base_url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the app did not become healthy")


def _seed_conversation(database: Path, token: str, message_ts: str) -> None:
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO resources (kind, tavus_id, team_id, owner_user_id, channel_id, message_ts,"
            " callback_token, status, details, finished, created_at, updated_at)"
            " VALUES ('conversation', ?, 'T0001', 'U123', 'C123', ?, ?, 'waiting', '{}', 0, 0, 0)",
            (CONVERSATION_ID, message_ts, token),
        )


def _pending(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT COUNT(*) FROM outbox WHERE done_at IS NULL").fetchone()[0])


async def test_kill_between_store_and_post_then_restart_posts_exactly_once(tmp_path: Path) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        env = _environment(slack, sandbox.url, database, port)
        parent = await _post_parent(slack)
        token = new_callback_token()
        # Slack fails every post: the row is stored and stays in the outbox.
        slack.fail_next("chat.postMessage", status=200, error="internal_error", times=1000)
        with _app_process(env, log) as first:
            await _until_healthy(base_url)
            _seed_conversation(database, token, parent)
            async with httpx.AsyncClient() as http:
                response = await http.post(f"{base_url}/tavus/callbacks/{token}", json=JOINED)
            assert response.status_code == 200
            await slack.wait_for("chat.postMessage", include_failed=True, count=2)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert _pending(database) >= 1
        slack.fail_next("chat.postMessage", times=0)

        with _app_process(env, log):
            await _until_healthy(base_url)
            await slack.wait_for("chat.postMessage", count=2, timeout=30)
            async with httpx.AsyncClient() as http:  # a redelivery after restart
                again = await http.post(f"{base_url}/tavus/callbacks/{token}", json=JOINED)
            assert again.status_code == 200
            await asyncio.sleep(1.5)
        replies = slack.messages(channel="C123", thread_ts=parent)
        assert [m["text"] for m in replies] == [":wave: The replica joined the call."]
        assert _pending(database) == 0
    _assert_no_secrets(log.read_text(), env, token)


async def test_kill_while_a_post_is_in_flight_then_restart_does_not_post_it_again(
    tmp_path: Path,
) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        env = _environment(slack, sandbox.url, database, port)
        parent = await _post_parent(slack)
        token = new_callback_token()
        slack.delay("chat.postMessage", 1.0)  # Slack takes the post, but answers late
        with _app_process(env, log) as first:
            await _until_healthy(base_url)
            _seed_conversation(database, token, parent)
            async with httpx.AsyncClient() as http:
                response = await http.post(f"{base_url}/tavus/callbacks/{token}", json=JOINED)
            assert response.status_code == 200
            await _until_in_flight(slack)
            first.send_signal(signal.SIGKILL)  # dies before Slack's answer
            first.wait(timeout=10)
        await asyncio.sleep(1.2)  # the post lands in Slack after all
        slack.delay("chat.postMessage", 0)
        assert _pending(database) == 2  # the reply and the card refresh behind it

        with _app_process(env, log):
            await _until_healthy(base_url)
            for _ in range(200):
                if _pending(database) == 0:
                    break
                await asyncio.sleep(0.05)
        replies = slack.messages(channel="C123", thread_ts=parent)
        assert [m["text"] for m in replies] == [":wave: The replica joined the call."]
        assert _pending(database) == 0
        assert slack.calls_to("conversations.replies"), "the restart looked before posting"
    _assert_no_secrets(log.read_text(), env, token)


async def _until_in_flight(slack: FakeSlack) -> None:
    """The fake Slack records a call when it answers; the post is in flight before that."""
    for _ in range(100):
        await asyncio.sleep(0.02)
        if slack.in_flight("chat.postMessage"):
            return
    raise AssertionError("the post never reached Slack")


def _assert_no_secrets(logged: str, env: dict[str, str], token: str) -> None:
    """At LOG_LEVEL=DEBUG, nothing secret reaches the log: not SQL parameters either."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TAVUS_API_KEY"):
        assert env[name] not in logged, f"{name} was logged"
    assert token not in logged, "a callback token was logged"
    assert "DEBUG" in logged  # the check means something only if debug lines were written


async def _post_parent(slack: FakeSlack) -> str:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{slack.api_url}chat.postMessage",
            headers={"Authorization": f"Bearer {slack.token}"},
            json={"channel": "C123", "text": "card"},
        )
    return str(response.json()["ts"])


async def test_sigterm_shuts_down_cleanly_with_exit_0(tmp_path: Path) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        with _app_process(_environment(slack, sandbox.url, database, port), log) as process:
            await _until_healthy(f"http://127.0.0.1:{port}")
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 15) == 0
    assert "Traceback" not in log.read_text()


async def test_sigterm_stops_accepting_and_exits_soon_despite_a_stuck_request(
    tmp_path: Path,
) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        with _app_process(_environment(slack, sandbox.url, database, port), log) as process:
            await _until_healthy(f"http://127.0.0.1:{port}")
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(  # a request that promises a body and never sends it
                f"POST /tavus/callbacks/{'x' * 43} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Length: 1000\r\n\r\n{".encode()
            )
            await writer.drain()
            process.send_signal(signal.SIGTERM)
            # aiohttp would wait 60 s for the request; the app cuts it off after a short grace.
            code = await asyncio.to_thread(process.wait, 15)
            writer.close()
    assert code == 0
    assert "Traceback" not in log.read_text()
