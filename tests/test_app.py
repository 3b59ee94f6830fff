"""The one HTTP server: health, Slack signature checks, help, and shutdown."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.signing import signed_headers, slash_command_body
from tests.fakes.slack import FakeSlack
from tests.harness import SIGNING_SECRET, Harness, app_settings, harness, tavus_sandbox


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Harness]:
    async with FakeSlack() as slack, tavus_sandbox(joined_delay=0.05) as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with harness(slack, settings) as h:
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
