"""The shared start sequence, through /tavus call, against the sandbox's faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import SEED_PERSONA_ID
from storage import Resource
from tests.harness import Harness, Sandbox, app_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path, called_back=True, sandbox_options={"joined_delay": 0.05}) as (
        h,
        sandbox,
    ):
        yield h, sandbox


async def _resources(running: Harness) -> list[Resource]:
    return await running.app.services.store.list_unfinished()


async def test_a_refused_create_leaves_nothing_and_says_why(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.fail("POST", "/v2/conversations", 402)

    await running.command(f"call {SEED_PERSONA_ID}")

    (answer,) = await running.slack.wait_for_response()
    assert "Tavus says: Insufficient credits (402)" in answer["text"]
    assert "out of credits" in answer["text"]
    assert await _resources(running) == []
    assert running.slack.messages() == []


async def test_a_create_that_timed_out_is_not_retried_and_its_first_callback_adopts_it(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.drop("POST", "/v2/conversations", after=True)  # made, answer lost

    await running.command(f"call {SEED_PERSONA_ID}")

    (answer,) = await running.slack.wait_for_response(timeout=15)
    assert "may have started anyway" in answer["text"]
    assert "`/tavus conversations`" in answer["text"]
    (conversation,) = sandbox.state.conversations.values()  # one call, never a second
    # Tavus reports on it: the callback names it, and its card appears in the channel.
    await running.slack.wait_for(
        "chat.postMessage", count=2, timeout=10, predicate=lambda c: c.args["channel"] == "C123"
    )
    (card,) = [m for m in running.slack.messages("C123") if m["thread_ts"] is None]
    assert conversation.conversation_id in str(card["blocks"])
    replies = running.slack.messages("C123", thread_ts=card["ts"])
    assert ":wave: The replica joined the call." in [m["text"] for m in replies]
    assert len(sandbox.state.conversations) == 1


async def test_a_test_mode_call_says_at_once_that_nobody_joins(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await running.command(f"call {SEED_PERSONA_ID} --test")

    (card_post,) = await running.slack.wait_for("chat.postMessage")
    (card,) = running.slack.messages("C123")
    assert "Test mode" in str(card["blocks"])
    assert "End call" not in str(card["blocks"])
    (resource,) = await running.app.services.store.list_resources()
    assert (resource.status, resource.finished) == ("ended", True)
    running.slack.assert_nothing_rejected()


async def test_the_card_names_the_persona_though_the_create_answer_does_not(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world

    await running.command(f"call {SEED_PERSONA_ID}")

    await running.slack.wait_for("chat.postMessage")
    (card,) = [m for m in running.slack.messages("C123") if m["thread_ts"] is None]
    assert "Tavus Researcher" in str(card["blocks"])
    assert "Anna" in str(card["blocks"])


async def test_a_replayed_call_starts_one_conversation(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    from tests.fakes.signing import slash_command_body

    body = slash_command_body(
        f"call {SEED_PERSONA_ID}", trigger_id="one.trigger", response_url=running.slack.response_url
    )
    await running.post_slack(body)
    await running.post_slack(body)  # Slack's retry, or a replay

    await running.slack.wait_for("chat.postMessage")
    assert len(sandbox.state.conversations) == 1
