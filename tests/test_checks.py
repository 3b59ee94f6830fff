"""``tavus-slack check``: one line per real check, non-zero exit on any failure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.checks import run_checks
from bot.config import Settings
from tests.fakes.slack import FakeSlack
from tests.harness import app_settings, tavus_sandbox


async def _check(settings: Settings) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = await run_checks(settings, print_line=lines.append)
    return code, lines


async def test_everything_ok(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        code, lines = await _check(settings)
    assert code == 0
    assert [line.split(":")[0] for line in lines] == [
        "ok    slack",
        "ok    tavus",
        "ok    database",
        "ok    public url",
    ]
    assert "polling Tavus" in lines[3]


async def test_each_failure_is_one_line_and_exit_1(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        broken = replace(
            settings,
            slack_bot_token="xoxb-wrong",
            tavus_api_key="wrong-key",
            public_url="http://localhost:3000",
        )
        code, lines = await _check(broken)
    assert code == 1
    assert lines[0] == "FAIL  slack: Slack refused the bot token: invalid_auth"
    assert lines[1].startswith("FAIL  tavus: Tavus says: Invalid access token (401)")
    assert lines[2].startswith("ok    database")
    assert lines[3].startswith("FAIL  public url")
    assert "wrong-key" not in "\n".join(lines)


async def test_unreachable_slack_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
    code, lines = await _check(settings)  # both servers are stopped now
    assert code == 1
    assert lines[0].startswith("FAIL  slack: could not reach Slack")
    assert lines[1].startswith("FAIL  tavus: Could not reach Tavus")


async def test_missing_scopes_are_named_with_what_they_break(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        slack.scopes -= {"users:read", "channels:history"}
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        code, lines = await _check(settings)
    assert code == 1
    slack_line = lines[0]
    assert slack_line.startswith("FAIL  slack: the bot token lacks 2 scope(s)")
    assert "channels:history (after a crash" in slack_line
    assert "users:read (workspace admins" in slack_line
    assert "reinstall" in slack_line
