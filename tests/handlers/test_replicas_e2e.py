"""Training a replica from Slack, against the sandbox: by callback and by polling."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import start_modal
from bot.blocks import train_modal as modal
from bot.sandbox.replicas import TRAINING_ERROR
from tests.fakes.blockkit import assert_valid_message, assert_valid_view
from tests.fakes.slack import FakeSlack
from tests.handlers.replica_forms import VIDEO_URL, open_view, submit, suggestion
from tests.harness import Harness, Sandbox, app_world

HOSTILE_NAME = "Rio <!channel> & <https://evil.example|click>"


@pytest.fixture(params=["callbacks", "polling"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path, called_back=request.param == "callbacks", sandbox_options={"training_delay": 1.0}
    ) as (h, sandbox):
        yield h, sandbox


def user_replicas(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [r for r in sandbox.state.replicas.values() if r["replica_type"] == "user"]


def card_in(slack: FakeSlack, channel: str) -> dict[str, Any]:
    (card,) = [m for m in slack.messages(channel) if m["thread_ts"] is None]
    return card


async def thread_of(slack: FakeSlack, channel: str, count: int) -> list[str]:
    """The replies under the card in ``channel`` (a DM's too), once there are ``count``."""

    def replies() -> list[str]:
        cards = [m for m in slack.messages(channel) if m["thread_ts"] is None]
        if len(cards) != 1:
            return []
        return [m["text"] for m in slack.messages(channel, thread_ts=cards[0]["ts"])]

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while len(replies()) < count and loop.time() < deadline:  # noqa: ASYNC110 - a deadline
        await asyncio.sleep(0.02)
    return replies()


async def test_training_from_the_modal_ends_with_a_trained_message(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    picker = suggestion(start_modal.REPLICA_ACTION, "", start_modal.CALLBACK_ID)
    before = [o["value"] for o in (await running.interact(picker)).json()["options"]]

    ack = await submit(running, name=HOSTILE_NAME)

    assert ack["response_action"] == "update"
    (update,) = await running.slack.wait_for("views.update")
    assert "<#C123>" in json.dumps(update.args["view"])
    assert_valid_view(update.args["view"])
    (replica,) = user_replicas(sandbox)
    assert replica["train_video_url"] == VIDEO_URL
    assert replica["model_name"] == "phoenix-4"
    assert (replica["callback_url"] is not None) == (
        running.app.services.settings.public_url is not None
    )

    (reply,) = await thread_of(running.slack, "C123", 1)
    assert reply.startswith(":white_check_mark: Replica *Rio &lt;!channel&gt;")
    assert f"/tavus call {replica['replica_id']}" in reply
    await running.slack.wait_for(
        "chat.update", predicate=lambda c: "*Trained*" in json.dumps(c.args.get("blocks"))
    )
    card = card_in(running.slack, "C123")
    assert "*Trained*" in json.dumps(card["blocks"])
    assert_valid_message(card["text"], card["blocks"])

    # Ready now, it is in the start form's picker at once, though the picker was asked before.
    assert replica["replica_id"] not in before
    after = [o["value"] for o in (await running.interact(picker)).json()["options"]]
    assert replica["replica_id"] in after
    _assert_nothing_unsafe_reached_slack(running.slack)


async def test_a_failed_training_threads_its_error(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world

    await submit(running, video="https://example.com/fail-too-short.mp4")

    (reply,) = await thread_of(running.slack, "C123", 1)
    assert reply.startswith(":x: Training failed: ")
    assert TRAINING_ERROR in reply
    assert "two minutes" in reply and "/tavus replica train" in reply
    await running.slack.wait_for(
        "chat.update", predicate=lambda c: "Training failed" in json.dumps(c.args.get("blocks"))
    )
    (replica,) = user_replicas(sandbox)
    resource = await running.app.services.store.get_resource(
        kind="replica", tavus_id=replica["replica_id"]
    )
    assert resource is not None and resource.status == "error"
    running.slack.assert_nothing_rejected()


def _assert_nothing_unsafe_reached_slack(slack: FakeSlack) -> None:
    sent = json.dumps([call.args for call in slack.calls])
    assert "<!channel>" not in sent
    assert "<https://evil.example|click>" not in sent
    assert "&lt;!channel&gt;" in sent
    assert VIDEO_URL not in sent  # the training footage's link stays out of Slack
    slack.assert_nothing_rejected()


# -- where the card goes ---------------------------------------------------------------------


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_without_a_channel_the_card_and_its_thread_go_to_a_dm(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world

    await submit(running, channel=None)

    (update,) = await running.slack.wait_for("views.update")
    assert "a direct message" in json.dumps(update.args["view"])
    (reply,) = await thread_of(running.slack, "D123", 1)
    assert "is trained and ready" in reply
    assert running.slack.messages("C123") == []


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_channel_the_bot_is_not_in_sends_the_card_to_a_dm_and_says_so(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    running.slack.bot_channels = {"D123"}

    await submit(running)

    (update,) = await running.slack.wait_for("views.update")
    assert "/invite" in json.dumps(update.args["view"])
    assert [m["channel"] for m in running.slack.messages()][:1] == ["D123"]


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_replica_train_opens_the_modal_preset_to_the_channel(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world

    response = await running.command("replica train")

    assert response.status_code == 200
    (opened,) = await running.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == modal.CALLBACK_ID
    assert "initial_conversation': 'C123'" in str(view)
    await running.command("replica train", channel_id="D0001")
    second = (await running.slack.wait_for("views.open", count=2))[1]
    assert "initial_conversation" not in str(second.args["view"])
    running.slack.assert_nothing_rejected()


# -- the form is checked before Tavus hears of it --------------------------------------------


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
@pytest.mark.parametrize(
    ("fields", "blocks"),
    [
        ({"video": None}, {modal.B_VIDEO}),
        ({"image": "https://example.com/p.png", "voice": "anna"}, {modal.B_IMAGE}),
        ({"video": "javascript:alert(1)"}, {modal.B_VIDEO}),
        ({"video": "ftp://example.com/v.mp4"}, {modal.B_VIDEO}),
        ({"video": "https://example.com/a b.mp4"}, {modal.B_VIDEO}),
        ({"video": None, "image": "https://example.com/p.png"}, {modal.B_VOICE}),
        ({"voice": "anna"}, {modal.B_VOICE}),
        ({"voice": "unavailable"}, {modal.B_VOICE}),
        ({"consent": "example.com/consent.mp4"}, {modal.B_CONSENT}),
        ({"options": ("auto_fix_training_image",)}, {modal.B_OPTIONS}),
        ({"model": "phoenix-9"}, {modal.B_MODEL}),
        ({"model": None}, {modal.B_MODEL}),
        ({"name": "x" * 201}, {modal.B_NAME}),
        ({"channel": "U123"}, {modal.B_CHANNEL}),
    ],
)
async def test_every_rule_is_an_inline_error_and_tavus_hears_nothing(
    world: tuple[Harness, Sandbox], fields: dict[str, Any], blocks: set[str]
) -> None:
    running, sandbox = world

    ack = await submit(running, **fields)

    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == blocks
    assert user_replicas(sandbox) == []
    assert running.slack.calls_to("views.update") == []


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_an_image_with_a_voice_trains(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world

    ack = await submit(
        running,
        video=None,
        image="https://example.com/p.png",
        voice="anna",
        options=("auto_fix_training_image", "background_green_screen"),
    )

    assert ack["response_action"] == "update"
    (reply,) = await thread_of(running.slack, "C123", 1)
    assert "is trained and ready" in reply
    (replica,) = user_replicas(sandbox)
    assert (replica["train_image_url"], replica["voice_name"]) == (
        "https://example.com/p.png",
        "anna",
    )
    card = card_in(running.slack, "C123")
    assert "an image, voice `anna`" in json.dumps(card["blocks"])


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_tavus_refusal_is_shown_in_the_modal_and_nothing_is_kept(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    await submit(running, video=None, image="https://example.com/p.png", voice="nobody")

    (update,) = await running.slack.wait_for("views.update")
    assert "Tavus says: Invalid voice_name (400)" in json.dumps(update.args["view"])
    assert user_replicas(sandbox) == []
    assert await running.app.services.store.list_resources(kind="replica") == []
    assert running.slack.messages() == []


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_training_whose_create_answer_was_lost_says_to_check_first(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    sandbox.state.faults.drop("POST", "/v2/replicas", after=True)

    await submit(running)

    (update,) = await running.slack.wait_for("views.update", timeout=20)
    assert "`/tavus replicas`" in json.dumps(update.args["view"])
    assert len(user_replicas(sandbox)) == 1  # asked once, never again
    # Its callback names it: the card appears and the thread says it is trained.
    (reply,) = await thread_of(running.slack, "C123", 1)
    assert "is trained and ready" in reply


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_the_voice_picker_lists_stock_voices_filtered_by_typing(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    await open_view(running)

    options = (await running.interact(suggestion(modal.VOICE_ACTION, "ANN"))).json()["options"]

    assert [o["value"] for o in options] == ["anna"]
    assert "female" in options[0]["text"]["text"]
