"""Listing, showing and deleting conversations from Slack."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.blocks.listing import DELETE_ACTION, MORE_ACTION
from bot.sandbox import SEED_PERSONA_ID
from tests.fakes.signing import block_action_payload
from tests.harness import Harness, Sandbox, app_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path, sandbox_options={"joined_delay": 30}) as (h, sandbox):
        yield h, sandbox


async def _start(running: Harness, count: int) -> None:
    for n in range(count):
        await running.command(f"call {SEED_PERSONA_ID} --test")
        await running.slack.wait_for("chat.postMessage", count=n + 1)


async def test_list_is_paginated_with_a_more_button(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await _start(running, 11)
    await running.command("conversations")
    (first,) = await running.slack.wait_for_response(count=1)
    assert "(1–10 of 11)" in first["text"]
    more = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in more] == [MORE_ACTION]

    click = block_action_payload(
        MORE_ACTION, value=more[0]["value"], response_url=running.slack.response_url
    )
    await running.interact(click)
    second = (await running.slack.wait_for_response(count=2))[1]
    assert "(11–11 of 11)" in second["text"]


async def test_unknown_list_filter_is_explained(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await running.command("conversations list finished")
    (answer,) = await running.slack.wait_for_response(count=1)
    assert "`active` or `ended`" in answer["text"]


async def test_show_gives_status_and_join_link(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await _start(running, 1)
    (conversation,) = sandbox.state.conversations.values()
    await running.command(f"conversation show {conversation.conversation_id}")
    (answer,) = await running.slack.wait_for_response(count=1)
    assert "*Status:* ended" in json.dumps(answer["blocks"])  # test mode: created ended
    assert conversation.conversation_url in json.dumps(answer["blocks"])


async def test_delete_asks_first_and_only_the_owner_may(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await _start(running, 1)
    (conversation,) = sandbox.state.conversations.values()
    cid = conversation.conversation_id

    await running.command(f"conversation delete {cid}", user_id="U999")
    (refused,) = await running.slack.wait_for_response(count=1)
    assert "Only <@U123>" in refused["text"]

    await running.command(f"conversation delete {cid}")
    confirm = (await running.slack.wait_for_response(count=2))[1]
    (button,) = [e for b in confirm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["confirm"]["confirm"]["text"] == "Delete"
    assert sandbox.state.conversations[cid].status == "ended"  # asked, not yet deleted

    stranger = block_action_payload(
        DELETE_ACTION,
        value=button["value"],
        user_id="U999",
        response_url=running.slack.response_url,
    )
    await running.interact(stranger)
    refused_click = (await running.slack.wait_for_response(count=3))[2]
    assert "Only <@U123>" in refused_click["text"]
    assert sandbox.state.conversations[cid].status == "ended"

    click = block_action_payload(
        DELETE_ACTION, value=button["value"], response_url=running.slack.response_url
    )
    await running.interact(click)
    done = (await running.slack.wait_for_response(count=4))[3]
    assert done["text"].startswith(":wastebasket: Deleted")
    assert sandbox.state.conversations[cid].status == "deleted"


async def test_a_hard_delete_says_what_it_destroys(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await _start(running, 1)
    (conversation,) = sandbox.state.conversations.values()
    cid = conversation.conversation_id

    await running.command(f"conversation delete {cid} --hard")

    (confirm,) = await running.slack.wait_for_response(count=1)
    assert confirm["text"].startswith(f"Permanently delete conversation `{cid}`?")
    assert "recording, transcript" in confirm["text"] and "cannot be undone" in confirm["text"]
    (button,) = [e for b in confirm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    click = block_action_payload(
        DELETE_ACTION, value=button["value"], response_url=running.slack.response_url
    )
    await running.interact(click)
    done = (await running.slack.wait_for_response(count=2))[1]
    assert done["text"].startswith(":wastebasket: Permanently deleted")
    assert sandbox.state.conversations[cid].status == "deleted"


async def test_a_forged_delete_value_does_nothing(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await _start(running, 1)
    (conversation,) = sandbox.state.conversations.values()
    for value in (
        "conversation:../x:soft",
        "video:c1:soft",
        "garbage",
        f"x:{conversation.conversation_id}:hard",
    ):
        await running.interact(
            block_action_payload(
                DELETE_ACTION, value=value, response_url=running.slack.response_url
            )
        )
    assert conversation.status != "deleted"
    assert running.slack.responses == []
