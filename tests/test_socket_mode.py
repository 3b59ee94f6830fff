"""The real app over Socket Mode: commands, clicks and events arrive on a WebSocket, not HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import running_app
from bot.blocks.conversations import END_CALL_ACTION
from bot.grammar import USAGE
from bot.sandbox import SEED_PERSONA_ID
from tests.fakes.signing import CHANNEL_ID, block_action_payload
from tests.fakes.slack import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode, slash_command_payload
from tests.harness import Sandbox, app_settings, tavus_sandbox

OWNER = "U123"
MESSAGE_TIMEOUT = 10.0
Message = dict[str, Any]


@dataclass
class World:
    slack: FakeSlack
    socket_mode: FakeSocketMode
    sandbox: Sandbox

    async def command(self, text: str) -> Message:
        payload = slash_command_payload(text, response_url=self.slack.response_url)
        return await self.socket_mode.send_slash_command(payload)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with (
        FakeSlack() as slack,
        FakeSocketMode() as socket_mode,
        tavus_sandbox(joined_delay=0.05) as sandbox,
    ):
        slack.attach_socket_mode(socket_mode)
        # No public_url: the app polls the sandbox for the conversation's progress.
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "t.db",
            slack_app_token=socket_mode.app_token,
            slack_signing_secret=None,  # Socket Mode needs none
        )
        async with running_app(settings):
            await socket_mode.wait_connected()
            yield World(slack, socket_mode, sandbox)


async def wait_for_message(
    slack: FakeSlack, matches: Callable[[Message], bool], *, thread_ts: str | None = None
) -> Message:
    """The first message in the channel (or in `thread_ts`'s thread) that `matches`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MESSAGE_TIMEOUT
    while True:
        messages = slack.messages(channel=CHANNEL_ID, thread_ts=thread_ts)
        for message in messages:
            if matches(message):
                return message
        assert loop.time() < deadline, f"no such message in {CHANNEL_ID}: {messages}"
        await asyncio.sleep(0.02)


def buttons(message: Message) -> list[dict[str, Any]]:
    return [
        element
        for block in message["blocks"] or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def is_call_card(message: Message) -> bool:
    return message["thread_ts"] is None and any("url" in b for b in buttons(message))


async def test_app_connects_with_its_app_token_and_answers_help_in_the_ack(world: World) -> None:
    ack = await world.command("help")

    assert ack["payload"] == {"text": USAGE, "response_type": "ephemeral"}
    (opened,) = world.slack.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {world.socket_mode.app_token}"
    assert not opened.failed


async def test_call_posts_the_card_then_the_replica_joins_in_its_thread(world: World) -> None:
    # Returns once acked within Slack's 3 s; the fake raises AckTimeout otherwise.
    await world.command(f"call {SEED_PERSONA_ID}")

    card = await wait_for_message(world.slack, is_call_card)
    (conversation,) = world.sandbox.state.conversations.values()
    assert [b["url"] for b in buttons(card) if "url" in b] == [conversation.conversation_url]

    joined = await wait_for_message(
        world.slack, lambda m: "joined" in m["text"], thread_ts=card["ts"]
    )
    assert joined["thread_ts"] == card["ts"]


async def test_end_button_on_the_card_is_acked_and_ends_the_call(world: World) -> None:
    await world.command(f"call {SEED_PERSONA_ID}")
    card = await wait_for_message(world.slack, is_call_card)
    (end,) = [b for b in buttons(card) if b["action_id"] == END_CALL_ACTION]
    (conversation,) = world.sandbox.state.conversations.values()

    click = block_action_payload(
        END_CALL_ACTION,
        value=end["value"],
        user_id=OWNER,
        message_ts=card["ts"],
        response_url=world.slack.response_url,
    )
    ack = await world.socket_mode.send_interactive(click)

    assert ack["envelope_id"] == world.socket_mode.envelopes[-1]["envelope_id"]
    (answer,) = await world.slack.wait_for_response(count=1)
    assert "Ending" in answer["text"]
    assert world.sandbox.state.conversations[conversation.conversation_id].status == "ended"


async def test_app_home_event_is_acked_and_publishes_the_home_tab(world: World) -> None:
    event = {"type": "app_home_opened", "user": OWNER, "channel": "D123", "tab": "home"}

    ack = await world.socket_mode.send_event(event)

    assert ack == {"envelope_id": world.socket_mode.envelopes[-1]["envelope_id"]}
    (published,) = await world.slack.wait_for("views.publish")
    assert published.args["user_id"] == OWNER


async def test_commands_still_arrive_after_slack_refreshes_the_connection(world: World) -> None:
    await world.socket_mode.disconnect("refresh_requested")
    await world.socket_mode.wait_connected(connections=2)

    ack = await world.command("help")

    assert ack["payload"]["text"] == USAGE
    assert len(world.slack.calls_to("apps.connections.open")) == 2
