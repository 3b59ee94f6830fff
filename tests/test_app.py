"""The one HTTP server: health, Slack signature checks, help, and shutdown."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.signing import signed_headers, slash_command_body
from tests.harness import SIGNING_SECRET, Harness, app_world, take_write_lock


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Harness]:
    async with app_world(tmp_path, sandbox_options={"joined_delay": 0.05}) as (h, sandbox):
        yield h


def _row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = ("resources", "events", "outbox")
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


async def test_healthz_reports_database_reachable(running: Harness) -> None:
    response = await running.http.get(f"{running.url}/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True


async def test_bad_signature_is_401_and_nothing_happens(running: Harness, tmp_path: Path) -> None:
    body = "command=%2Ftavus&text=call+p2fbd605&user_id=U1&channel_id=C1&team_id=T1"
    response = await running.post_slack(body, secret="not-the-secret")
    assert response.status_code == 401
    assert _row_counts(tmp_path / "t.db") == {"resources": 0, "events": 0, "outbox": 0}
    assert [c.method for c in running.slack.calls] == []


async def test_stale_signature_is_401(running: Harness) -> None:
    body = slash_command_body("help")
    headers = signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - 600)
    response = await running.http.post(f"{running.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401


async def test_help_is_ephemeral_usage(running: Harness) -> None:
    response = await running.command("help")
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "/tavus call" in response.json()["text"]


async def test_typo_answers_usage_with_the_closest_command(running: Harness) -> None:
    response = await running.command("cal p2fbd605")
    text = response.json()["text"]
    assert "Did you mean `/tavus call`?" in text
    assert "/tavus end" in text


async def test_unknown_word_cannot_ping_the_channel(running: Harness) -> None:
    response = await running.command("<!channel>")
    assert "<!channel>" not in response.json()["text"]
    assert "&lt;!channel&gt;" in response.json()["text"]


# -- requests that must fail cleanly --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ("\x00\x01garbage", "application/octet-stream"),
        ("", "application/x-www-form-urlencoded"),
    ],
)
async def test_unsigned_or_malformed_bodies_are_401_before_anything_parses_them(
    running: Harness, body: str, content_type: str
) -> None:
    headers = {"Content-Type": content_type}
    response = await running.http.post(f"{running.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("body", ["payload=%7Bnot+json", "payload=%5B1%2C2%5D", "payload=42"])
async def test_a_signed_body_that_is_not_slack_json_is_400_not_500(
    running: Harness, body: str
) -> None:
    headers = signed_headers(SIGNING_SECRET, body)
    response = await running.http.post(f"{running.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "actions": [{"action_id": "conversation_end", "value": "c1"}]},
        {"type": "block_actions", "user": {"id": "U1"}, "actions": []},
        {"type": "block_actions", "user": {"id": "U1"}},
        {"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": "x"}},
    ],
)
async def test_payloads_missing_what_listeners_need_get_a_logged_200(
    running: Harness, payload: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    response = await running.interact(payload)
    assert response.status_code == 200
    assert "ignored a Slack request" in caplog.text
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_a_replayed_command_runs_once(running: Harness) -> None:
    body = slash_command_body(
        "help", trigger_id="same.trigger", response_url=running.slack.response_url
    )
    first = await running.post_slack(body)
    again = await running.post_slack(body)
    assert first.json()["text"].startswith("*Tavus for Slack*")
    assert again.status_code == 200 and again.text == ""


async def test_healthz_reports_workers_and_the_outbox(running: Harness) -> None:
    body = (await running.http.get(f"{running.url}/healthz")).json()
    assert body["database"] is True
    assert body["workers"]["notifier"]["alive"] is True
    assert body["workers"]["poller"]["alive"] is True
    assert body["outbox"] == {"pending": 0, "oldest_due_seconds": None}


async def test_healthz_is_503_when_the_notifier_is_dead(running: Harness) -> None:
    worker = running.app.supervisor.worker("notifier")
    assert worker.task is not None
    worker.task.cancel()  # the supervisor itself is gone: nothing will restart it
    await asyncio.sleep(0.05)
    response = await running.http.get(f"{running.url}/healthz")
    assert response.status_code == 503
    assert response.json()["workers"]["notifier"]["alive"] is False


async def test_a_timestamp_too_long_for_int_is_401(running: Harness) -> None:
    body = slash_command_body("help")
    headers = {**signed_headers(SIGNING_SECRET, body), "X-Slack-Request-Timestamp": "1" * 5000}
    response = await running.http.post(f"{running.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "user": {"id": "U1"}, "actions": [{}]},
        {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": 5}]},
        {"type": "block_actions", "user": {"id": "U1"}, "team_id": {"x": 1}, "actions": []},
        {
            "type": "block_actions",
            "user": {"id": "U1"},
            "trigger_id": ["t"],
            "actions": [{"action_id": "home_start_conversation"}],
        },
    ],
)
async def test_forged_payloads_get_a_logged_200(
    running: Harness, payload: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    response = await running.interact(payload)
    assert response.status_code == 200
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_healthz_is_503_while_writes_fail_and_200_once_they_succeed(
    running: Harness, tmp_path: Path
) -> None:
    from tests.handlers.test_webhooks import _conversation, _joined

    resource = await _conversation(running)
    assert resource.callback_token is not None
    blocker = await take_write_lock(tmp_path / "t.db")
    try:
        assert (await running.callback(resource.callback_token, _joined())).status_code == 503
        unhealthy = await running.http.get(f"{running.url}/healthz")
    finally:
        blocker.rollback()
        blocker.close()
    assert unhealthy.status_code == 503 and unhealthy.json()["database"] is False
    assert (await running.callback(resource.callback_token, _joined())).status_code == 200
    assert (await running.http.get(f"{running.url}/healthz")).status_code == 200
