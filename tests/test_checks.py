"""``tavus-slack check``: one line per real check, non-zero exit on any failure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.checks import run_checks
from bot.config import Settings
from tests.fakes.slack import FakeSlack
from tests.fakes.socket_mode import APP_TOKEN, FakeSocketMode
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
        "ok    socket mode",
        "ok    tavus",
        "ok    database",
        "ok    public url",
    ]
    assert "over HTTP" in lines[1]
    assert "polling Tavus" in lines[4]


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
    assert lines[2].startswith("FAIL  tavus: Tavus says: Invalid access token (401)")
    assert lines[3].startswith("ok    database")
    assert lines[4].startswith("FAIL  public url")
    assert "wrong-key" not in "\n".join(lines)


async def test_unreachable_slack_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
    code, lines = await _check(settings)  # both servers are stopped now
    assert code == 1
    assert lines[0].startswith("FAIL  slack: could not reach Slack")
    assert lines[2].startswith("FAIL  tavus: Could not reach Tavus")


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


async def test_the_app_level_token_is_tried_when_set(tmp_path: Path) -> None:
    async with FakeSlack() as slack, FakeSocketMode() as socket_mode, tavus_sandbox() as sandbox:
        slack.attach_socket_mode(socket_mode)
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        _, good = await _check(replace(settings, slack_app_token=APP_TOKEN))
        code, bad = await _check(replace(settings, slack_app_token="xapp-1-wrong"))
    assert good[1] == "ok    socket mode: SLACK_APP_TOKEN opens Socket Mode connections"
    assert code == 1
    assert bad[1].startswith("FAIL  socket mode: Slack refused SLACK_APP_TOKEN: invalid_auth.")
    assert "xapp-1-wrong" not in "\n".join(bad)


async def test_a_public_url_on_a_private_address_fails(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        for host in ("10.0.0.5", "192.168.1.20", "[fd00::1]", "tavus.local"):
            _, lines = await _check(replace(settings, public_url=f"https://{host}:3000"))
            assert lines[4].startswith("FAIL  public url: PUBLIC_URL must be reachable"), host
        _, lines = await _check(replace(settings, public_url="https://bot.example.com"))
    assert lines[4].startswith("ok    public url")


async def test_a_database_folder_that_does_not_exist_is_said_and_not_made(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "t.db"
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=missing)
        code, lines = await _check(settings)
    assert code == 0
    assert lines[3] == (
        f"ok    database: {missing} does not exist yet: `run` will create it, and its folder "
        f"{missing.parent}"
    )
    assert not (tmp_path / "no").exists()
