"""Commands from every kind of conversation: a private channel or DM the bot is in works like
a channel; where Slack refuses the bot (not a member, a group DM without it, an archived
channel), the user is told why and how to fix it, and the card and its thread come by DM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from tests.fakes.signing import USER_ID
from tests.fakes.slack import FakeSlack, dm_channel_for
from tests.harness import Harness, app_settings, free_port, harness, tavus_sandbox

OWN_DM = dm_channel_for(USER_ID)
PRIVATE = "G0PRIVATE"  # a private channel the bot was invited to
PUBLIC_WITHOUT_BOT = "C0PUBLIC"
GROUP_DM = "G0GROUPDM"  # a group DM the bot is not part of
ARCHIVED = "C0ARCHIVED"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Harness]:
    slack = FakeSlack(bot_channels={OWN_DM, PRIVATE, ARCHIVED})
    slack.archived_channels.add(ARCHIVED)
    async with slack, tavus_sandbox(joined_delay=0.05, video_delay=0.1) as sandbox:
        port = free_port()
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "t.db",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            default_replica_id=SEED_REPLICA_ID,
        )
        async with harness(slack, settings) as h:
            yield h


COMMANDS = [f"call {SEED_PERSONA_ID}", "video Hello from wherever I am"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("channel", [PRIVATE, OWN_DM])
async def test_where_the_bot_can_post_the_card_goes_there(
    running: Harness, command: str, channel: str
) -> None:
    await running.command(command, channel_id=channel)

    await running.slack.wait_for("chat.postMessage", count=2, timeout=10)  # card, then a reply
    assert {m["channel"] for m in running.slack.messages()} == {channel}
    assert not [r for r in running.slack.responses if "direct message" in r.get("text", "")]
    running.slack.assert_nothing_rejected()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("channel", "why", "fix"),
    [
        (PUBLIC_WITHOUT_BOT, "I am not in this channel", "/invite @Tavus"),
        (GROUP_DM, "I cannot post in this conversation", "/invite @Tavus"),
        (ARCHIVED, "This channel is archived", "Unarchive it"),
    ],
)
async def test_where_slack_refuses_the_bot_the_user_hears_why_and_gets_a_dm(
    running: Harness, command: str, channel: str, why: str, fix: str
) -> None:
    await running.command(command, channel_id=channel)

    (note,) = await running.slack.wait_for_response(count=1, timeout=10)
    assert note["response_type"] == "ephemeral"
    assert why in note["text"] and fix in note["text"] and "direct message" in note["text"]
    # The card and what follows in its thread: all in the owner's DM, nothing lost.
    await running.slack.wait_for("chat.postMessage", count=2, timeout=10)
    posted = running.slack.messages()
    assert {m["channel"] for m in posted} == {OWN_DM}
    (card,) = [m for m in posted if m["thread_ts"] is None]
    assert all(m["thread_ts"] == card["ts"] for m in posted if m is not card)
    running.slack.assert_nothing_rejected()


async def test_a_listing_answers_in_a_group_dm_without_the_bot(running: Harness) -> None:
    await running.command("conversations", channel_id=GROUP_DM)

    (answer,) = await running.slack.wait_for_response(count=1, timeout=10)
    assert "conversations" in answer["text"].lower()
    assert running.slack.messages() == []  # through the response URL: no post needed
