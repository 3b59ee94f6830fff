"""A lip-sync from Slack to Tavus and back, by callback and by polling; its modal and verbs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import lipsync_modal as modal
from bot.blocks.listing import DELETE_ACTION
from bot.sandbox import URL_FAIL_MARKER
from tests.fakes.signing import block_action_payload, view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.harness import Harness, Sandbox, app_world

CHANNEL = "C123"
VIDEO = "https://cdn.example/talk.mp4"
AUDIO = "https://cdn.example/dub.mp3"


@pytest.fixture(params=["callbacks", "polling"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path, called_back=request.param == "callbacks", sandbox_options={"lipsync_delay": 0.3}
    ) as (h, sandbox):
        yield h, sandbox


async def result(slack: FakeSlack, state: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The card, once it shows ``state``, and the one reply in its thread."""
    await slack.wait_for(
        "chat.postMessage", count=2, timeout=15, predicate=lambda c: c.args["channel"] == CHANNEL
    )
    await slack.wait_for(
        "chat.update", timeout=15, predicate=lambda c: state in json.dumps(c.args.get("blocks"))
    )
    (card,) = [m for m in slack.messages(CHANNEL) if m["thread_ts"] is None]
    (reply,) = slack.messages(CHANNEL, thread_ts=card["ts"])
    return card, reply


async def test_a_lipsync_posts_a_card_and_threads_the_result(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await running.command(f"lipsync <{VIDEO}> {AUDIO} Dubbed welcome")

    card, reply = await result(running.slack, "Ready")
    (lipsync,) = sandbox.state.lipsyncs.values()
    assert (lipsync.original_video_url, lipsync.source_audio_url) == (VIDEO, AUDIO)
    assert lipsync.lipsync_name == "Dubbed welcome"
    assert lipsync.video_url is not None and lipsync.video_url in reply["text"]
    assert "Ready" in json.dumps(card["blocks"]) and "Dubbed welcome" in json.dumps(card)
    running.slack.assert_nothing_rejected()


async def test_a_failed_lipsync_threads_the_reason(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world

    await running.command(f"lipsync {VIDEO}?{URL_FAIL_MARKER} {AUDIO}")

    card, reply = await result(running.slack, "Failed")
    (lipsync,) = sandbox.state.lipsyncs.values()
    assert lipsync.error_message is not None
    assert reply["text"].startswith(f":x: The lip-sync failed: {lipsync.error_message}")
    assert "Failed" in json.dumps(card["blocks"])


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
@pytest.mark.parametrize("text", ["lipsync", f"lipsync {VIDEO}"])
async def test_missing_urls_open_the_modal(world: tuple[Harness, Sandbox], text: str) -> None:
    running, sandbox = world

    await running.command(text)

    (opened,) = await running.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == modal.CALLBACK_ID
    assert "deprecated" in json.dumps(view["blocks"])
    initial = [b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"]
    assert initial[0] == (VIDEO if " " in text else None)
    assert sandbox.state.lipsyncs == {}


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_url_that_is_not_one_is_refused_before_tavus(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await running.command(f"lipsync talk.mp4 {AUDIO}")

    (answer,) = await running.slack.wait_for_response()
    assert "must be an http(s) link" in answer["text"]
    assert sandbox.state.lipsyncs == {}


def form(video: str | None, audio: str | None) -> dict[str, Any]:
    return {
        modal.B_VIDEO: {modal.B_VIDEO: {"value": video}},
        modal.B_AUDIO: {modal.B_AUDIO: {"value": audio}},
        "channel": {"channel": {"selected_conversation": "C777"}},
    }


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_the_modal_checks_its_links_inline_then_starts_the_lipsync(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    wrong = view_submission_payload(modal.CALLBACK_ID, values=form("ftp://x/v.mp4", None))

    answer = (await running.interact(wrong)).json()

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {modal.B_VIDEO, modal.B_AUDIO}
    assert sandbox.state.lipsyncs == {}
    opened = await running.app.services.slack.views_open(
        trigger_id="tr.1", view=modal.lipsync_modal(channel_id="C123")
    )
    view_id = str(opened["view"]["id"])
    good = view_submission_payload(modal.CALLBACK_ID, values=form(VIDEO, AUDIO), view_id=view_id)
    assert (await running.interact(good)).json()["response_action"] == "update"
    (update,) = await running.slack.wait_for("views.update")
    assert "<#C777>" in json.dumps(update.args["view"])
    (lipsync,) = sandbox.state.lipsyncs.values()
    assert lipsync.original_video_url == VIDEO
    await running.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == "C777"
    )


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_list_show_and_delete(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await running.command(f"lipsync {VIDEO} {AUDIO} Dub one")
    await result(running.slack, "Ready")
    (lipsync_id,) = sandbox.state.lipsyncs

    await running.command("lipsyncs")
    await running.command(f"lipsync show {lipsync_id}")
    await running.command(f"lipsync delete {lipsync_id} --hard")
    await running.command(f"lipsync delete {lipsync_id}")

    listed, shown, no_hard, ask = await running.slack.wait_for_response(count=4)
    assert lipsync_id in listed["text"] + json.dumps(listed["blocks"])
    assert "deprecated" in json.dumps(shown["blocks"])
    assert "no hard delete" in no_hard["text"]
    value = next(e["value"] for b in ask["blocks"] if b["type"] == "actions" for e in b["elements"])
    click = block_action_payload(
        DELETE_ACTION, value=value, response_url=running.slack.response_url
    )
    await running.interact(click)
    await running.slack.wait_for_response(count=5)
    assert sandbox.state.lipsyncs == {}
    running.slack.assert_nothing_rejected()
