"""A video from Slack to Tavus and back: the card, its progress, the threaded result.

Both ways Tavus's news can arrive: by callback (PUBLIC_URL set) and by polling (unset).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.poller import Poller
from bot.sandbox import SCRIPT_FAIL_MARKER, SEED_REPLICA_2_ID, SEED_REPLICA_ID
from tests.fakes.blockkit import assert_valid_message
from tests.fakes.slack import FakeSlack
from tests.harness import Harness, Sandbox, app_world

CHANNEL = "C123"
VIDEO_SECONDS = 1.0  # ten progress steps of 0.1 s: a poll every 0.2 s sees some of them


@pytest.fixture(params=["callbacks", "polling"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path,
        called_back=request.param == "callbacks",
        sandbox_options={"video_delay": VIDEO_SECONDS},
        default_replica_id=SEED_REPLICA_ID,
    ) as (h, sandbox):
        yield h, sandbox


def card_of(slack: FakeSlack) -> dict[str, Any]:
    (card,) = [m for m in slack.messages(channel=CHANNEL) if m["thread_ts"] is None]
    return card


async def thread_of(slack: FakeSlack, card: dict[str, Any], count: int) -> list[dict[str, Any]]:
    await slack.wait_for(
        "chat.postMessage",
        count=count + 1,
        timeout=20,
        predicate=lambda c: c.args.get("channel") == CHANNEL,
    )
    return slack.messages(channel=CHANNEL, thread_ts=card["ts"])


async def card_saying(slack: FakeSlack, words: str) -> dict[str, Any]:
    await slack.wait_for(
        "chat.update", timeout=20, predicate=lambda c: words in json.dumps(c.args.get("blocks"))
    )
    return card_of(slack)


async def test_a_video_posts_a_card_and_its_thread_gets_the_hosted_url(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    response = await running.command("video Hello team, meet the new replica")

    assert response.status_code == 200
    await running.slack.wait_for("chat.postMessage")
    card = card_of(running.slack)
    (video,) = sandbox.state.videos.values()
    assert video.data == {"script": "Hello team, meet the new replica"}
    assert video.replica_id == SEED_REPLICA_ID
    assert video.video_id in json.dumps(card["blocks"])
    assert "Anna" in json.dumps(card["blocks"])  # the replica's name, looked up

    replies = await thread_of(running.slack, card, 1)
    # (A reconcile pass may add the thumbnail after it: see the thumbnail test.)
    (ready,) = [m for m in replies if video.hosted_url in m["text"]]
    assert video.hosted_url in json.dumps(ready["blocks"])
    final = await card_saying(running.slack, "Ready")
    assert video.hosted_url in json.dumps(final["blocks"])
    assert_valid_message(final["text"], final["blocks"])
    running.slack.assert_nothing_rejected()
    (resource,) = await running.app.services.store.list_resources(kind="video")
    assert resource.status == "ready"


async def test_the_error_path_threads_the_reason(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    sandbox.state.configure(video_error="The <!channel> replica could not speak & render")

    await running.command(f"video {SEED_REPLICA_2_ID} This one fails {SCRIPT_FAIL_MARKER}")

    await running.slack.wait_for("chat.postMessage")
    card = card_of(running.slack)
    (video,) = sandbox.state.videos.values()
    assert video.replica_id == SEED_REPLICA_2_ID
    (failed,) = await thread_of(running.slack, card, 1)
    assert failed["text"].startswith(":x: The video could not be generated")
    assert "could not speak &amp; render" in failed["text"]
    assert "<!channel>" not in json.dumps(running.slack.messages())
    assert "try again" in failed["text"]
    final = await card_saying(running.slack, "Failed")
    assert "could not speak" in json.dumps(final["blocks"])
    running.slack.assert_nothing_rejected()


@pytest.mark.parametrize("world", ["polling"], indirect=True)
async def test_polling_shows_progress_on_the_card_and_one_ready_message(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await running.command("video Progress, please")

    await running.slack.wait_for("chat.postMessage")
    card = card_of(running.slack)
    await card_saying(running.slack, "Generating")
    await thread_of(running.slack, card, 1)
    await card_saying(running.slack, "Ready")
    (resource,) = await running.app.services.store.list_resources(kind="video")
    events = await running.app.services.store.list_events(resource_id=resource.id)
    assert [e.event_type for e in events][-1] == "video.ready"
    assert any(e.dedup_key.startswith("generating:") for e in events)
    # Polls after the end bring nothing new: one ready message, however many passes ran.
    await Poller(services=running.app.services).poll_once()
    replies = running.slack.messages(channel=CHANNEL, thread_ts=card["ts"])
    assert len(replies) == 1
    running.slack.assert_nothing_rejected()


def images(messages: list[dict[str, Any]]) -> list[str]:
    return [
        block["image_url"]
        for message in messages
        for block in message["blocks"] or []
        if block["type"] == "image"
    ]


async def test_the_thumbnail_reaches_the_thread_either_way(
    world: tuple[Harness, Sandbox],
) -> None:
    """The ready callback has no thumbnail; the reconcile poll after it (verbose) does."""
    running, sandbox = world

    await running.command("video Smile for the thumbnail")

    await running.slack.wait_for("chat.postMessage")
    card = card_of(running.slack)
    await thread_of(running.slack, card, 1)
    await Poller(services=running.app.services).poll_once()  # the reconcile pass
    await Poller(services=running.app.services).poll_once()
    await running.app.services.notifier.deliver_due()
    (video,) = sandbox.state.videos.values()
    replies = running.slack.messages(channel=CHANNEL, thread_ts=card["ts"])
    assert images(replies) == [video.still_image_thumbnail_url]
    assert sum(video.hosted_url in m["text"] for m in replies) == 1
    running.slack.assert_nothing_rejected()


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_create_whose_answer_was_lost_is_adopted_by_its_ready_callback(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.drop("POST", "/v2/videos", after=True)  # made, answer lost

    await running.command("video Did this start?")

    (answer,) = await running.slack.wait_for_response(timeout=15)
    assert "may have started anyway" in answer["text"]
    assert "`/tavus videos`" in answer["text"]
    (video,) = sandbox.state.videos.values()  # one video, never a second
    card = await card_saying(running.slack, "Ready")
    assert video.video_id in json.dumps(card["blocks"])
    replies = running.slack.messages(channel=CHANNEL, thread_ts=card["ts"])
    assert [video.hosted_url in m["text"] for m in replies][:1] == [True]
    assert sum(video.hosted_url in m["text"] for m in replies) == 1


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_refused_video_leaves_nothing_and_says_why(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    sandbox.state.faults.fail("POST", "/v2/videos", 402)

    await running.command("video Hello")

    (answer,) = await running.slack.wait_for_response()
    assert "Tavus says: Insufficient credits (402)" in answer["text"]
    assert await running.app.services.store.list_unfinished() == []
    assert running.slack.messages() == []
