"""Killing the process between storing a callback and posting it loses nothing, posts once."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import httpx

from bot.callback_tokens import new_callback_token
from tests.fakes.slack import FakeSlack
from tests.faults.process import app_process, environment, pending, post_parent, until_healthy
from tests.harness import free_port, tavus_sandbox

CONVERSATION_ID = "c00000000c4a5"
JOINED = {
    "conversation_id": CONVERSATION_ID,
    "event_type": "system.replica_joined",
    "properties": {"replica_id": "r79e1c033f"},
}


def _seed_conversation(database: Path, token: str, message_ts: str) -> None:
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO resources (kind, tavus_id, team_id, owner_user_id, channel_id, message_ts,"
            " callback_token, status, details, finished, created_at, updated_at)"
            " VALUES ('conversation', ?, 'T0001', 'U123', 'C123', ?, ?, 'waiting', '{}', 0, 0, 0)",
            (CONVERSATION_ID, message_ts, token),
        )


async def test_kill_between_store_and_post_then_restart_posts_exactly_once(tmp_path: Path) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        env = environment(slack, sandbox.url, database, port)
        parent = await post_parent(slack)
        token = new_callback_token()
        # Slack fails every post: the row is stored and stays in the outbox.
        slack.fail_next("chat.postMessage", status=200, error="internal_error", times=1000)
        with app_process(env, log) as first:
            await until_healthy(base_url)
            _seed_conversation(database, token, parent)
            async with httpx.AsyncClient() as http:
                response = await http.post(f"{base_url}/tavus/callbacks/{token}", json=JOINED)
            assert response.status_code == 200
            await slack.wait_for("chat.postMessage", include_failed=True, count=2)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert pending(database) >= 1
        slack.fail_next("chat.postMessage", times=0)

        with app_process(env, log):
            await until_healthy(base_url)
            await slack.wait_for("chat.postMessage", count=2, timeout=30)
            async with httpx.AsyncClient() as http:  # a redelivery after restart
                again = await http.post(f"{base_url}/tavus/callbacks/{token}", json=JOINED)
            assert again.status_code == 200
            await asyncio.sleep(1.5)
        replies = slack.messages(channel="C123", thread_ts=parent)
        assert [m["text"] for m in replies] == [":wave: The replica joined the call."]
        assert pending(database) == 0
    _assert_no_secrets(log.read_text(), env, token)


async def test_kill_while_a_post_is_in_flight_then_restart_does_not_post_it_again(
    tmp_path: Path,
) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        env = environment(slack, sandbox.url, database, port)
        parent = await post_parent(slack)
        token = new_callback_token()
        slack.delay("chat.postMessage", 1.0)  # Slack takes the post, but answers late
        with app_process(env, log) as first:
            await until_healthy(base_url)
            _seed_conversation(database, token, parent)
            async with httpx.AsyncClient() as http:
                response = await http.post(f"{base_url}/tavus/callbacks/{token}", json=JOINED)
            assert response.status_code == 200
            await _until_in_flight(slack)
            first.send_signal(signal.SIGKILL)  # dies before Slack's answer
            first.wait(timeout=10)
        await asyncio.sleep(1.2)  # the post lands in Slack after all
        slack.delay("chat.postMessage", 0)
        assert pending(database) == 2  # the reply and the card refresh behind it

        with app_process(env, log):
            await until_healthy(base_url)
            for _ in range(200):
                if pending(database) == 0:
                    break
                await asyncio.sleep(0.05)
        replies = slack.messages(channel="C123", thread_ts=parent)
        assert [m["text"] for m in replies] == [":wave: The replica joined the call."]
        assert pending(database) == 0
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


async def test_sigterm_shuts_down_cleanly_with_exit_0(tmp_path: Path) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        with app_process(environment(slack, sandbox.url, database, port), log) as process:
            await until_healthy(f"http://127.0.0.1:{port}")
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 15) == 0
    assert "Traceback" not in log.read_text()


async def test_sigterm_stops_accepting_and_exits_soon_despite_a_stuck_request(
    tmp_path: Path,
) -> None:
    database, log, port = tmp_path / "app.db", tmp_path / "app.log", free_port()
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        with app_process(environment(slack, sandbox.url, database, port), log) as process:
            await until_healthy(f"http://127.0.0.1:{port}")
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
