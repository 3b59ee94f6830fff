"""The "Start a conversation" modal: pickers, inline errors, and a started call."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import channel_settings
from bot.blocks import start_modal as modal
from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_2_ID
from handlers.conversations.start import UNAVAILABLE
from tests.fakes.signing import API_APP_ID, TEAM_ID, USER_ID, view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.harness import Harness, Sandbox, app_settings, app_world, harness, tavus_sandbox


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path, sandbox_options={"joined_delay": 30}) as (h, sandbox):
        yield h, sandbox


def _values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        modal.B_PERSONA: {
            modal.PERSONA_ACTION: {
                "type": "external_select",
                "selected_option": {"value": SEED_PERSONA_ID},
            }
        },
        modal.B_REPLICA: {
            modal.REPLICA_ACTION: {"type": "external_select", "selected_option": None}
        },
        modal.B_CHANNEL: {
            modal.B_CHANNEL: {"type": "conversations_select", "selected_conversation": "C777"}
        },
        modal.B_CONTEXT: {
            modal.B_CONTEXT: {"type": "plain_text_input", "value": "Quarterly review"}
        },
        modal.B_DURATION: {modal.B_DURATION: {"type": "number_input", "value": "600"}},
        modal.B_OPTIONS: {
            modal.B_OPTIONS: {"type": "checkboxes", "selected_options": [{"value": "test_mode"}]}
        },
    }
    values.update(overrides)
    return values


async def test_invalid_fields_come_back_inline(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    values = _values(
        **{
            modal.B_PERSONA: {modal.PERSONA_ACTION: {"selected_option": None}},
            modal.B_DURATION: {modal.B_DURATION: {"value": "99999"}},
        }
    )
    response = await running.interact(view_submission_payload(modal.CALLBACK_ID, values=values))
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {modal.B_PERSONA, modal.B_DURATION}
    assert sandbox.state.conversations == {}


async def test_valid_submission_starts_the_call_in_the_chosen_channel(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    view_id = await _open_modal(running)
    payload = view_submission_payload(modal.CALLBACK_ID, values=_values(), view_id=view_id)
    response = await running.interact(payload)
    assert response.json()["response_action"] == "update"

    (update,) = await running.slack.wait_for("views.update")
    assert update.args["view_id"] == view_id
    assert "Started" in json.dumps(update.args["view"])
    (conversation,) = sandbox.state.conversations.values()
    assert conversation.test_mode is True
    assert [m["channel"] for m in running.slack.messages()] == ["C777"]


async def test_tavus_refusal_is_shown_in_the_modal(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    values = _values(
        **{
            modal.B_REPLICA: {modal.REPLICA_ACTION: {"selected_option": {"value": "r0000000000"}}},
        }
    )
    view_id = await _open_modal(running)
    await running.interact(
        view_submission_payload(modal.CALLBACK_ID, values=values, view_id=view_id)
    )
    (update,) = await running.slack.wait_for("views.update")
    assert "Tavus says: Invalid replica_id (400)" in json.dumps(update.args["view"])


async def test_persona_picker_lists_tavus_personas_filtered_by_typing(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    response = await running.interact(_suggestion(modal.PERSONA_ACTION, "sales"))
    labels = [o["text"]["text"] for o in response.json()["options"]]
    assert labels and all("Sales" in label for label in labels)


async def test_replica_picker_lists_ready_replicas(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    response = await running.interact(_suggestion(modal.REPLICA_ACTION, ""))
    values = [o["value"] for o in response.json()["options"]]
    assert SEED_REPLICA_2_ID in values


async def _open_modal(running: Harness) -> str:
    view = modal.start_modal(channel_id="C123", max_call_duration=600, participant_left_timeout=60)
    opened = await running.app.services.slack.views_open(trigger_id="tr.1", view=view)
    return str(opened["view"]["id"])


def _suggestion(action_id: str, typed: str) -> dict[str, Any]:
    return {
        "type": "block_suggestion",
        "user": {"id": USER_ID, "team_id": TEAM_ID},
        "team": {"id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "action_id": action_id,
        "block_id": "persona",
        "value": typed,
        "view": {"id": "V1", "callback_id": modal.CALLBACK_ID, "type": "modal"},
    }


async def test_slow_tavus_gives_the_picker_a_note_within_slacks_deadline(tmp_path: Path) -> None:
    async with FakeSlack() as slack, tavus_sandbox(latency=5.0) as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with harness(slack, settings) as running:
            response = await running.interact(_suggestion(modal.PERSONA_ACTION, ""))
    (only,) = response.json()["options"]
    assert only["value"] == UNAVAILABLE
    assert "slow" in only["text"]["text"]


async def test_the_unavailable_note_cannot_be_submitted(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    unavailable = {"selected_option": {"value": UNAVAILABLE}}
    values = _values(**{modal.B_PERSONA: {modal.PERSONA_ACTION: unavailable}})
    response = await running.interact(view_submission_payload(modal.CALLBACK_ID, values=values))
    assert set(response.json()["errors"]) == {modal.B_PERSONA}
    assert sandbox.state.conversations == {}


async def test_a_channel_that_does_not_allow_calls_refuses_the_form_too(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await channel_settings.save(
        running.app.services.store,
        team_id=TEAM_ID,
        channel_id="C777",
        settings=channel_settings.ChannelSettings(allowed=frozenset({"video"})),
    )
    view_id = await _open_modal(running)

    payload = view_submission_payload(modal.CALLBACK_ID, values=_values(), view_id=view_id)
    await running.interact(payload)

    (update,) = await running.slack.wait_for("views.update")
    assert "`/tavus call` is not allowed in this channel" in json.dumps(update.args["view"])
    assert sandbox.state.conversations == {}
    assert running.slack.messages() == []
