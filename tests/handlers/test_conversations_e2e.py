"""A call from Slack to Tavus and back: card, threaded events, live card, end, polling."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import SEED_PERSONA_ID
from bot.sandbox.state import SEED_SYSTEM_PROMPT
from tests.fakes.signing import block_action_payload
from tests.fakes.slack import FakeSlack
from tests.harness import (
    ADMIN_ID,
    Harness,
    Sandbox,
    app_settings,
    app_world,
    harness,
    tavus_sandbox,
)

OWNER = "U123"
STRANGER = "U999"
HOSTILE_TRANSCRIPT = [
    {"role": "user", "content": "Hi <!channel>, look at <https://evil.example|click>"},
    {"role": "assistant", "content": "Happy to help & chat."},
]


@pytest.fixture(params=["callbacks", "polling"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path, called_back=request.param == "callbacks", sandbox_options={"joined_delay": 0.05}
    ) as (h, sandbox):
        yield h, sandbox


def _card(slack: FakeSlack) -> dict[str, Any]:
    top_level = [m for m in slack.messages(channel="C123") if m["thread_ts"] is None]
    assert len(top_level) == 1, top_level
    return top_level[0]


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message["blocks"] or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def _replies(slack: FakeSlack, thread_ts: str, count: int) -> list[str]:
    await slack.wait_for(
        "chat.postMessage",
        count=count + 1,
        timeout=20,
        predicate=lambda c: c.args.get("channel") == "C123",
    )
    return [m["text"] for m in slack.messages(channel="C123", thread_ts=thread_ts)]


async def test_call_posts_card_and_relays_every_event_in_its_thread(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.next_transcript = HOSTILE_TRANSCRIPT
    response = await running.command(f"call {SEED_PERSONA_ID} talk about pricing")
    assert response.status_code == 200

    await running.slack.wait_for("chat.postMessage")
    card = _card(running.slack)
    (conversation,) = sandbox.state.conversations.values()
    assert conversation.conversation_url in card["text"]
    assert [b["url"] for b in _buttons(card) if "url" in b] == [conversation.conversation_url]
    assert "Tavus Researcher" in json.dumps(card["blocks"])

    replies = await _replies(running.slack, card["ts"], 1)
    assert replies == [":wave: The replica joined the call."]

    ended = await running.command(f"end {conversation.conversation_id}")
    assert ended.status_code == 200
    replies = await _replies(running.slack, card["ts"], 4)
    assert replies[1].startswith(":stop_sign: The call ended: it was ended from Slack")
    assert replies[2].startswith(":memo: Transcript ready (2 turns)")
    assert replies[3].startswith(":eyes: Perception analysis")

    await running.slack.wait_for(
        "chat.update", predicate=lambda c: "Ended" in json.dumps(c.args.get("blocks"))
    )
    final_card = _card(running.slack)
    assert "End call" not in json.dumps(final_card["blocks"])
    _assert_nothing_unsafe_reached_slack(running.slack)


def _assert_nothing_unsafe_reached_slack(slack: FakeSlack) -> None:
    sent = json.dumps([call.args for call in slack.calls])
    sent += "".join(f["content"].decode() for f in slack.uploaded_files)
    assert "<!channel>" not in sent
    assert "<https://evil.example|click>" not in sent
    assert "&lt;!channel&gt;" in sent
    assert SEED_SYSTEM_PROMPT[:40] not in sent


async def test_ack_comes_before_tavus_answers(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox(latency=2.0) as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with harness(slack, settings) as running:
            response = await running.command(f"call {SEED_PERSONA_ID}")
            # Tavus has not even seen the create yet: the ack did not wait for it.
            assert response.status_code == 200
            assert sandbox.state.conversations == {}
            await slack.wait_for("chat.postMessage", timeout=10)


async def _started(running: Harness, sandbox: Sandbox) -> str:
    await running.command(f"call {SEED_PERSONA_ID}")
    await running.slack.wait_for("chat.postMessage")
    (conversation,) = sandbox.state.conversations.values()
    return conversation.conversation_id


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_only_owner_or_admin_may_end(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    conversation_id = await _started(running, sandbox)

    await running.command(f"end {conversation_id}", user_id=STRANGER)
    (refusal,) = await running.slack.wait_for_response(count=1)
    assert "Only <@U123>" in refusal["text"]
    assert sandbox.state.conversations[conversation_id].status == "active"

    await running.command(f"end {conversation_id}", user_id=ADMIN_ID)
    await running.slack.wait_for_response(count=2)
    assert sandbox.state.conversations[conversation_id].status == "ended"


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_end_button_works_for_the_owner(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    conversation_id = await _started(running, sandbox)
    click = block_action_payload(
        "conversation_end",
        value=conversation_id,
        user_id=OWNER,
        response_url=running.slack.response_url,
    )
    response = await running.interact(click)
    assert response.status_code == 200
    (answer,) = await running.slack.wait_for_response(count=1)
    assert answer["text"].startswith(":stop_sign: Ending")
    assert sandbox.state.conversations[conversation_id].status == "ended"


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_tavus_error_comes_back_in_words(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await running.command("call p0000000000ff")
    (answer,) = await running.slack.wait_for_response(count=1)
    assert answer["text"] == ":warning: Tavus says: Invalid persona_id (400)"
    assert answer["response_type"] == "ephemeral"


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_call_without_persona_opens_the_modal(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await running.command("call")
    (opened,) = await running.slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "start_conversation"


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_bot_not_in_channel_sends_card_to_dm_and_link_privately(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    running.slack.bot_channels = {"D123"}
    await running.command(f"call {SEED_PERSONA_ID}")
    (hint,) = await running.slack.wait_for_response(count=1)
    (conversation,) = sandbox.state.conversations.values()
    assert "/invite" in hint["text"]
    assert conversation.conversation_url in hint["text"]
    assert [m["channel"] for m in running.slack.messages()] == ["D123"]
