"""The shortcuts through the real route: what each opens, and a message's video in its thread."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import video_modal as modal
from bot.blocks.start_modal import CALLBACK_ID as START_CALLBACK_ID
from bot.sandbox import SEED_REPLICA_2_ID, SEED_REPLICA_ID
from handlers.shortcuts import (
    GENERATE_VIDEO,
    START_CALL,
    VIDEO_FROM_MESSAGE,
    script_from_message,
)
from tests.fakes.signing import (
    API_APP_ID,
    CHANNEL_ID,
    TEAM_ID,
    USER_ID,
    new_trigger_id,
    view_submission_payload,
)
from tests.harness import Harness, Sandbox, app_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path,
        called_back=True,
        sandbox_options={"video_delay": 0.3},
        default_replica_id=SEED_REPLICA_ID,
    ) as (h, sandbox):
        yield h, sandbox


def global_shortcut(callback_id: str) -> dict[str, Any]:
    return {
        "type": "shortcut",
        "callback_id": callback_id,
        "trigger_id": new_trigger_id(),
        "action_ts": "1700000000.000001",
        "user": {"id": USER_ID, "username": "user-u123", "team_id": TEAM_ID},
        "team": {"id": TEAM_ID, "domain": "fake"},
        "api_app_id": API_APP_ID,
        "token": "verification-token",
    }


def message_shortcut(text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "message", "user": "U777", "ts": ts, "text": text}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        **global_shortcut(VIDEO_FROM_MESSAGE),
        "type": "message_action",
        "channel": {"id": CHANNEL_ID, "name": "general"},
        "message": message,
        "message_ts": ts,
        "response_url": "https://hooks.slack.com/app/T0001/1/x",
    }


async def opened_view(running: Harness) -> dict[str, Any]:
    (opened,) = await running.slack.wait_for("views.open")
    view: dict[str, Any] = opened.args["view"]
    return view


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    (found,) = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return found


async def test_start_a_tavus_call_opens_the_start_modal(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    response = await running.interact(global_shortcut(START_CALL))

    assert response.status_code == 200
    view = await opened_view(running)
    assert view["callback_id"] == START_CALLBACK_ID
    assert "initial_conversation" not in block(view, "channel")["element"]


async def test_generate_a_tavus_video_opens_the_video_modal_with_a_channel_picker(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    await running.app.services.store.set_preference(
        team_id=TEAM_ID, scope="user", scope_id=USER_ID, key="replica_id", value=SEED_REPLICA_2_ID
    )

    await running.interact(global_shortcut(GENERATE_VIDEO))

    view = await opened_view(running)
    assert view["callback_id"] == modal.CALLBACK_ID
    picker = block(view, modal.B_CHANNEL)
    assert picker["optional"] is True and "direct message" in picker["hint"]["text"]
    replica = block(view, modal.B_REPLICA)["element"]["initial_option"]["value"]
    assert replica == SEED_REPLICA_2_ID  # the user's default before the workspace's


async def test_a_message_becomes_a_video_in_its_thread(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    source = await running.app.services.slack.chat_postMessage(
        channel=CHANNEL_ID, text="Welcome aboard"
    )
    source_ts = str(source["ts"])
    text = "Welcome aboard <@U777|ana> &amp; see <https://tavus.io|our site> <!here>"

    await running.interact(message_shortcut(text, source_ts))

    view = await opened_view(running)
    assert modal.B_CHANNEL not in [b.get("block_id") for b in view["blocks"]]
    script = block(view, modal.B_SCRIPT)["element"]["initial_value"]
    assert script == "Welcome aboard ana & see our site"
    values = {
        modal.B_REPLICA: {modal.REPLICA_ACTION: {"selected_option": {"value": SEED_REPLICA_ID}}},
        modal.B_SCRIPT: {modal.B_SCRIPT: {"value": script}},
    }
    opened = await running.app.services.slack.views_open(trigger_id="tr.2", view=view)
    payload = view_submission_payload(
        modal.CALLBACK_ID,
        values=values,
        view_id=str(opened["view"]["id"]),
        private_metadata=view["private_metadata"],
    )
    await running.interact(payload)

    await running.slack.wait_for(
        "chat.postMessage", count=2, timeout=15, predicate=lambda c: c.args.get("thread_ts")
    )
    top_level = [m for m in running.slack.messages(CHANNEL_ID) if m["thread_ts"] is None]
    assert [m["ts"] for m in top_level] == [source_ts]  # the card did not start a thread
    card, ready = running.slack.messages(CHANNEL_ID, thread_ts=source_ts)
    (video,) = sandbox.state.videos.values()
    assert video.video_id in json.dumps(card["blocks"])
    assert video.hosted_url in ready["text"]
    (update,) = await running.slack.wait_for("views.update")
    assert "the thread of the message" in json.dumps(update.args["view"])
    running.slack.assert_nothing_rejected()


async def test_a_reply_becomes_a_video_in_the_same_thread(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    await running.interact(message_shortcut("A reply", "1700000000.000200", "1700000000.000100"))

    view = await opened_view(running)
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"channel": CHANNEL_ID, "thread_ts": "1700000000.000100"}


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("plain", "plain"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("see <https://x.example>", "see https://x.example"),
        ("hi <@U1|ana> and <#C1|general>", "hi ana and general"),
        ("<!channel> ping <@U1>", "ping"),
        ("line one\n\n  line two  ", "line one\nline two"),
        ("", ""),
    ],
)
def test_a_message_reads_as_a_replica_would_say_it(text: str, script: str) -> None:
    assert script_from_message(text) == script
