"""The "Generate a video" modal through the real route: inline errors before any Tavus call,
and a valid form that starts the video where it was asked to go."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import running_app
from bot.blocks import video_modal as modal
from bot.sandbox import SEED_REPLICA_2_ID, SEED_REPLICA_ID
from handlers.shared.pickers import UNAVAILABLE
from tests.fakes.blockkit import assert_valid_view
from tests.fakes.signing import USER_ID, view_submission_payload
from tests.fakes.slack import FakeSlack, dm_channel_for
from tests.harness import Harness, Sandbox, app_settings, tavus_sandbox


class RecordingTransport(httpx.AsyncHTTPTransport):
    """The real transport, remembering every request the app made to Tavus."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await super().handle_async_request(request)


@contextlib.asynccontextmanager
async def recorded_world(
    tmp_path: Path, **sandbox_options: Any
) -> AsyncIterator[tuple[Harness, Sandbox, RecordingTransport]]:
    transport = RecordingTransport()
    async with FakeSlack() as slack, tavus_sandbox(**sandbox_options) as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with (
            running_app(settings, tavus_transport=transport) as running,
            httpx.AsyncClient(timeout=10) as http,
        ):
            yield Harness(app=running, slack=slack, http=http), sandbox, transport


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox, RecordingTransport]]:
    async with recorded_world(tmp_path, video_delay=60) as found:
        yield found


def values(**fields: Any) -> dict[str, Any]:
    """A filled-in form: {block_id: value}, where a value is text, an option or a list."""
    filled: dict[str, Any] = {
        modal.B_REPLICA: {modal.REPLICA_ACTION: {"selected_option": {"value": SEED_REPLICA_ID}}},
        modal.B_SCRIPT: {modal.B_SCRIPT: {"value": "Hello team"}},
        modal.B_CHANNEL: {modal.B_CHANNEL: {"selected_conversation": "C777"}},
    }
    for block, value in fields.items():
        if isinstance(value, list):
            element = {"selected_options": [{"value": v} for v in value]}
        elif block == modal.B_REPLICA:
            element = {"selected_option": value and {"value": value}}
        elif block == modal.B_CHANNEL:
            element = {"selected_conversation": value}
        else:
            element = {"value": value}
        filled[block] = {block: element}
    return filled


async def submit(
    running: Harness, view_id: str = "V0", metadata: str = "", **fields: Any
) -> httpx.Response:
    payload = view_submission_payload(
        modal.CALLBACK_ID, values=values(**fields), view_id=view_id, private_metadata=metadata
    )
    return await running.interact(payload)


INVALID_FORMS: list[tuple[dict[str, Any], set[str]]] = [
    ({modal.B_AUDIO: "https://cdn.example/voice.mp3"}, {modal.B_AUDIO}),  # and a script
    ({modal.B_SCRIPT: None}, {modal.B_SCRIPT}),
    ({modal.B_SCRIPT: "   "}, {modal.B_SCRIPT}),
    ({modal.B_OPTIONS: [modal.TRANSPARENT]}, {modal.B_OPTIONS}),
    ({modal.B_REPLICA: None}, {modal.B_REPLICA}),
    ({modal.B_REPLICA: UNAVAILABLE}, {modal.B_REPLICA}),
    ({modal.B_SCRIPT: None, modal.B_AUDIO: "https://cdn.example/voice.ogg"}, {modal.B_AUDIO}),
    ({modal.B_SCRIPT: None, modal.B_AUDIO: "ftp://cdn.example/voice.mp3"}, {modal.B_AUDIO}),
    ({modal.B_BACKGROUND_URL: "javascript:alert(1)"}, {modal.B_BACKGROUND_URL}),
    ({modal.B_BACKGROUND_URL: "example.com"}, {modal.B_BACKGROUND_URL}),
    ({modal.B_BACKGROUND_VIDEO: "https://"}, {modal.B_BACKGROUND_VIDEO}),
    (
        {modal.B_BACKGROUND_URL: "https://a.example", modal.B_BACKGROUND_VIDEO: "https://b.ex/v"},
        {modal.B_BACKGROUND_VIDEO},
    ),
    ({modal.B_WATERMARK: "https://cdn.example/logo.gif"}, {modal.B_WATERMARK}),
    ({modal.B_WATERMARK: "file:///logo.png"}, {modal.B_WATERMARK}),
    (
        {
            modal.B_AUDIO: "https://cdn.example/a.mp3",
            modal.B_OPTIONS: [modal.TRANSPARENT],
            modal.B_REPLICA: None,
        },
        {modal.B_AUDIO, modal.B_OPTIONS, modal.B_REPLICA},
    ),
]


@pytest.mark.parametrize(("fields", "wrong"), INVALID_FORMS)
async def test_every_rule_is_an_inline_error_and_tavus_is_not_called(
    world: tuple[Harness, Sandbox, RecordingTransport], fields: dict[str, Any], wrong: set[str]
) -> None:
    running, sandbox, tavus = world

    response = await submit(running, **fields)

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == wrong
    assert all(isinstance(text, str) and text for text in answer["errors"].values())
    assert tavus.requests == []
    assert sandbox.state.videos == {}
    assert running.slack.calls_to("views.update") == []


async def test_a_valid_form_passes_every_field_to_tavus(
    world: tuple[Harness, Sandbox, RecordingTransport],
) -> None:
    running, sandbox, _ = world
    view_id = await open_modal(running)

    response = await submit(
        running,
        view_id,
        **{
            modal.B_REPLICA: SEED_REPLICA_2_ID,
            modal.B_SCRIPT: None,
            modal.B_AUDIO: "https://cdn.example/voice.MP3?signature=1",
            modal.B_NAME: "Launch <!channel>",
            modal.B_BACKGROUND_VIDEO: "https://cdn.example/bg.mp4",
            modal.B_OPTIONS: [modal.FAST, modal.TRANSPARENT],
            modal.B_WATERMARK: "https://cdn.example/logo.jpeg",
        },
    )

    assert response.json()["response_action"] == "update"
    (update,) = await running.slack.wait_for("views.update")
    assert update.args["view_id"] == view_id
    assert "<#C777>" in json.dumps(update.args["view"])
    assert_valid_view(update.args["view"])
    (video,) = sandbox.state.videos.values()
    assert video.replica_id == SEED_REPLICA_2_ID
    assert video.data == {"audio_url": "https://cdn.example/voice.MP3?signature=1"}
    assert (video.fast, video.transparent_background) == (True, True)
    assert video.background_source_url == "https://cdn.example/bg.mp4"
    assert video.watermark_image_url == "https://cdn.example/logo.jpeg"
    assert video.video_name == "Launch <!channel>"
    (card,) = running.slack.messages()
    assert card["channel"] == "C777"
    assert "Launch &lt;!channel&gt;" in json.dumps(card["blocks"])
    running.slack.assert_nothing_rejected()


async def test_an_empty_channel_sends_the_card_to_a_direct_message(
    world: tuple[Harness, Sandbox, RecordingTransport],
) -> None:
    running, _, _ = world
    view_id = await open_modal(running)

    await submit(running, view_id, **{modal.B_CHANNEL: None})

    (update,) = await running.slack.wait_for("views.update")
    assert "a direct message" in json.dumps(update.args["view"])
    assert [m["channel"] for m in running.slack.messages()] == [dm_channel_for(USER_ID)]


async def test_a_tavus_refusal_is_shown_in_the_modal(
    world: tuple[Harness, Sandbox, RecordingTransport],
) -> None:
    running, sandbox, _ = world
    view_id = await open_modal(running)

    await submit(running, view_id, **{modal.B_REPLICA: "r0000000000"})

    (update,) = await running.slack.wait_for("views.update")
    assert "Tavus says: Invalid replica_id (400)" in json.dumps(update.args["view"])
    assert running.slack.messages() == []
    assert await running.app.services.store.list_unfinished() == []


async def test_the_replica_picker_offers_ready_replicas_by_name(
    world: tuple[Harness, Sandbox, RecordingTransport],
) -> None:
    running, _, _ = world
    suggestion = {
        "type": "block_suggestion",
        "user": {"id": USER_ID},
        "team": {"id": "T0001"},
        "api_app_id": "A0001",
        "action_id": modal.REPLICA_ACTION,
        "block_id": modal.B_REPLICA,
        "value": "char",
        "view": {"id": "V1", "callback_id": modal.CALLBACK_ID, "type": "modal"},
    }

    response = await running.interact(suggestion)

    options = response.json()["options"]
    assert [o["value"] for o in options] == [SEED_REPLICA_2_ID]
    assert "Charlie" in options[0]["text"]["text"]


async def open_modal(running: Harness) -> str:
    view = modal.video_modal(channel_id="C123")
    opened = await running.app.services.slack.views_open(trigger_id="tr.1", view=view)
    return str(opened["view"]["id"])


# -- /tavus video opens the modal when it cannot start the video itself --------------------


def initial_values(view: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for item in view["blocks"]:
        element = item.get("element") or {}
        found[item.get("block_id")] = element.get("initial_value") or (
            element.get("initial_option") or {}
        ).get("value")
    return found


async def test_a_script_without_any_replica_opens_the_modal_with_it(
    world: tuple[Harness, Sandbox, RecordingTransport],
) -> None:
    running, _, tavus = world

    await running.command("video Hello 'team', how are you?")

    (opened,) = await running.slack.wait_for("views.open")
    shown = initial_values(opened.args["view"])
    assert shown[modal.B_SCRIPT] == "Hello 'team', how are you?"
    assert shown[modal.B_REPLICA] is None
    assert tavus.requests == []


async def test_a_replica_without_a_script_opens_the_modal_with_it(
    world: tuple[Harness, Sandbox, RecordingTransport],
) -> None:
    running, _, tavus = world

    await running.command(f"video {SEED_REPLICA_2_ID}")

    (opened,) = await running.slack.wait_for("views.open")
    shown = initial_values(opened.args["view"])
    assert (shown[modal.B_REPLICA], shown[modal.B_SCRIPT]) == (SEED_REPLICA_2_ID, None)
    assert tavus.requests == []


async def test_the_users_default_replica_makes_the_video(
    world: tuple[Harness, Sandbox, RecordingTransport],
) -> None:
    running, sandbox, _ = world
    await running.app.services.store.set_preference(
        team_id="T0001", scope="user", scope_id=USER_ID, key="replica_id", value=SEED_REPLICA_2_ID
    )

    await running.command("video Hi from my default")

    await running.slack.wait_for("chat.postMessage")
    (video,) = sandbox.state.videos.values()
    assert (video.replica_id, video.data) == (SEED_REPLICA_2_ID, {"script": "Hi from my default"})
    assert running.slack.calls_to("views.open") == []
