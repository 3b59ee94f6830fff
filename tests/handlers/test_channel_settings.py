"""A channel's settings: where updates go, how many, who sees listings, what is allowed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import channel_settings
from bot.blocks import objective_modal
from bot.blocks import settings_modal as modal
from bot.blocks.objective_modal import block_id
from bot.channel_settings import ChannelSettings
from bot.sandbox import SEED_PERSONA_ID
from tests.fakes.signing import view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.handlers.steering_forms import form_opened_by, submit_form
from tests.harness import Harness, Sandbox, app_settings, free_port, harness, tavus_sandbox

CREATOR, MEMBER, CHANNEL = "UCREATOR", "U123", "C123"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    port = free_port()
    async with FakeSlack() as slack, tavus_sandbox(joined_delay=0.05) as sandbox:
        slack.channel_creators[CHANNEL] = CREATOR
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "t.db",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
        )
        async with harness(slack, settings) as h:
            yield h, sandbox


async def _set(running: Harness, **changes: Any) -> None:
    await channel_settings.save(
        running.app.services.store,
        team_id="T0001",
        channel_id=CHANNEL,
        settings=ChannelSettings(**changes),
    )


def _thread_posts(running: Harness) -> list[Any]:
    return [c for c in running.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]


async def test_thread_and_channel_broadcasts_the_replies(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await _set(running, delivery=channel_settings.THREAD_AND_CHANNEL)

    await running.command(f"call {SEED_PERSONA_ID}")

    await running.slack.wait_for(
        "chat.postMessage", count=1, timeout=10, predicate=lambda c: c.args.get("thread_ts")
    )
    posts = _thread_posts(running)
    assert posts and all(c.args.get("reply_broadcast") in (True, "true", "1") for c in posts)


async def test_results_only_keeps_the_updates_out(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await _set(running, verbosity=channel_settings.RESULTS)

    await running.command(f"call {SEED_PERSONA_ID}")
    await running.slack.wait_for("chat.update", timeout=10)  # the replica joined: card only
    (conversation,) = sandbox.state.conversations.values()
    from bot.sandbox.lifecycle import finish

    finish(sandbox.state, conversation, "end_conversation_endpoint_hit")
    await running.slack.wait_for(
        "chat.postMessage",
        timeout=10,
        predicate=lambda c: bool(c.args.get("thread_ts")) and "Transcript" in c.args["text"],
    )
    texts = [c.args["text"] for c in _thread_posts(running)]
    updates = (":wave: The replica joined", ":stop_sign: The call ended")
    assert not any(t.startswith(updates) for t in texts), texts


async def test_straight_into_the_channel_says_what_it_is_about(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    await _set(running, delivery=channel_settings.CHANNEL)

    await running.command(f"call {SEED_PERSONA_ID}")

    joined = await running.slack.wait_for(
        "chat.postMessage",
        count=2,
        timeout=10,
        predicate=lambda c: c.args.get("channel") == CHANNEL,
    )
    reply = joined[1]
    assert not reply.args.get("thread_ts")
    assert reply.args["text"].startswith("Conversation `c")
    running.slack.assert_nothing_rejected()


async def test_a_command_the_channel_does_not_allow_is_refused_with_the_way_out(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await _set(running, allowed=frozenset({"call", "conversations"}))

    answer = (await running.command("video Hello team")).json()["text"]

    assert "`/tavus video` is not allowed in this channel" in answer
    assert "/tavus settings" in answer
    assert sandbox.state.videos == {}
    assert (await running.command("help")).json()["text"].startswith("*Tavus for Slack*")


async def test_public_listings_are_for_everyone_without_join_links(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    await running.command(f"call {SEED_PERSONA_ID}")
    await running.slack.wait_for("chat.postMessage")
    await _set(running, listings=channel_settings.PUBLIC)

    await running.command("conversations")

    (listing,) = await running.slack.wait_for_response()
    assert listing["response_type"] == "in_channel"
    assert "join" not in str(listing["blocks"]).lower()


async def test_only_the_creator_or_an_admin_may_open_the_settings(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    await running.command("settings", user_id=MEMBER)
    (refused,) = await running.slack.wait_for_response()
    assert "Only the channel's creator or an admin" in refused["text"]

    await running.command("settings", user_id=CREATOR)
    (opened,) = await running.slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == modal.CALLBACK_ID
    running.slack.assert_nothing_rejected()


async def test_saving_the_form_changes_the_settings(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    values = {
        modal.B_DELIVERY: {modal.B_DELIVERY: {"selected_option": {"value": "thread_and_channel"}}},
        modal.B_VERBOSITY: {modal.B_VERBOSITY: {"selected_option": {"value": "results"}}},
        modal.B_LISTINGS: {modal.B_LISTINGS: {"selected_option": {"value": "private"}}},
        modal.B_ALLOWED: {modal.B_ALLOWED: {"selected_options": [{"value": "call"}]}},
    }
    payload = view_submission_payload(
        modal.CALLBACK_ID, values=values, private_metadata=CHANNEL, user_id=CREATOR
    )
    response = await running.interact(payload)
    assert response.json()["response_action"] == "update"

    saved = await channel_settings.load(
        running.app.services.store, team_id="T0001", channel_id=CHANNEL
    )
    assert saved == ChannelSettings(
        delivery="thread_and_channel", verbosity="results", allowed=frozenset({"call"})
    )

    stranger = view_submission_payload(
        modal.CALLBACK_ID, values=values, private_metadata=CHANNEL, user_id=MEMBER
    )
    assert (await running.interact(stranger)).json()["response_action"] == "errors"


async def test_a_private_channel_without_the_bot_says_to_invite_it(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    running.slack.bot_channels = {"C123"}  # not the private channel G0SECRET

    await running.command("settings", user_id=MEMBER, channel_id="G0SECRET")

    (refused,) = await running.slack.wait_for_response()
    assert "`/invite @Tavus`" in refused["text"]


async def test_a_form_submitted_after_the_channel_disallowed_it_creates_nothing(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    view_id, view = await form_opened_by(running, "objective new", channel_id=CHANNEL)
    await _set(running, allowed=frozenset({"call"}))  # while the form is open

    typed = {block_id(0, objective_modal.NAME): "collect_email"}
    typed[block_id(0, objective_modal.PROMPT)] = "Ask for the email"
    await submit_form(running, view_id, view, **typed)

    (refused,) = await running.slack.wait_for(
        "views.update", predicate=lambda c: "not allowed" in json.dumps(c.args["view"])
    )
    assert "`/tavus objectives` is not allowed in this channel" in json.dumps(refused.args["view"])
    assert sandbox.state.objectives == {}


@pytest.mark.parametrize("forged", ["", "general", "C1>|<!channel>", "D" + "9" * 40])
async def test_settings_for_what_is_not_a_channel_id_are_refused(
    world: tuple[Harness, Sandbox], forged: str
) -> None:
    running, _ = world
    payload = view_submission_payload(modal.CALLBACK_ID, private_metadata=forged, user_id=CREATOR)

    answer = (await running.interact(payload)).json()

    assert answer["response_action"] == "errors"
    assert "<!channel>" not in json.dumps(answer)
