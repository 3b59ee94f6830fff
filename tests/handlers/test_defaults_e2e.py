"""`/tavus defaults`: a person's default persona and replica, chosen in a form and used by
`/tavus call` and `/tavus video` before the workspace's defaults."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import defaults_modal as modal
from bot.blocks.home import DEFAULTS_ACTION, START_ACTION
from bot.blocks.pickers import UNAVAILABLE
from bot.sandbox import SEED_PERSONA_2_ID, SEED_REPLICA_2_ID, SEED_REPLICA_ID
from handlers.shortcuts import START_CALL
from tests.blocks.form_values import submitted
from tests.fakes.signing import block_action_payload, interaction_body, view_submission_payload
from tests.fakes.slack import FakeSlack
from tests.handlers.test_shortcuts import global_shortcut
from tests.harness import Harness, Sandbox, app_settings, harness, tavus_sandbox


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with FakeSlack() as slack, tavus_sandbox(joined_delay=30) as sandbox:
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "t.db",
            default_replica_id=SEED_REPLICA_ID,  # the workspace's; no workspace persona
        )
        async with harness(slack, settings) as h:
            yield h, sandbox


async def opened_form(running: Harness, count: int = 1) -> dict[str, Any]:
    calls = await running.slack.wait_for("views.open", count=count)
    view = calls[-1].args["view"]
    return dict(json.loads(view) if isinstance(view, str) else view)


async def submit(running: Harness, view: dict[str, Any], **chosen: str | None) -> dict[str, Any]:
    payload = view_submission_payload(modal.CALLBACK_ID, values=submitted(view, **chosen))
    response = await running.post_slack(interaction_body(payload))
    assert response.status_code == 200
    return dict(response.json()) if response.content else {}


async def test_my_defaults_are_used_by_call_and_video(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await running.command("defaults")
    form = await opened_form(running)
    assert form["callback_id"] == modal.CALLBACK_ID
    assert SEED_REPLICA_ID in json.dumps(form)  # the workspace default, named in a hint

    answer = await submit(
        running, form, **{modal.B_PERSONA: SEED_PERSONA_2_ID, modal.B_REPLICA: SEED_REPLICA_2_ID}
    )
    assert answer["response_action"] == "update"
    assert "Saved" in json.dumps(answer["view"])

    await running.command("call")  # no persona typed, no workspace persona: mine
    await running.slack.wait_for("chat.postMessage")
    (conversation,) = sandbox.state.conversations.values()
    assert conversation.persona_id == SEED_PERSONA_2_ID
    assert conversation.replica_id == SEED_REPLICA_2_ID

    await running.command("video Hello with my replica")
    await running.slack.wait_for("chat.postMessage", count=2)
    (video,) = sandbox.state.videos.values()
    assert video.replica_id == SEED_REPLICA_2_ID


async def test_the_form_shows_what_i_chose_by_name(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await running.command("defaults")
    await submit(running, await opened_form(running), **{modal.B_PERSONA: SEED_PERSONA_2_ID})

    await running.command("defaults")
    again = await opened_form(running, count=2)

    persona_block = next(b for b in again["blocks"] if b.get("block_id") == modal.B_PERSONA)
    chosen = persona_block["element"]["initial_option"]
    assert chosen["value"] == SEED_PERSONA_2_ID
    name = sandbox.state.personas[SEED_PERSONA_2_ID]["persona_name"]
    assert name and name in chosen["text"]["text"]
    replica_block = next(b for b in again["blocks"] if b.get("block_id") == modal.B_REPLICA)
    assert "initial_option" not in replica_block["element"]


async def test_emptying_the_form_clears_my_defaults(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await running.command("defaults")
    await submit(running, await opened_form(running), **{modal.B_PERSONA: SEED_PERSONA_2_ID})
    await running.command("defaults")

    await submit(running, await opened_form(running, count=2))  # submitted as shown: kept
    prefs = await running.app.services.store.get_preferences(
        team_id="T0001", scope="user", scope_id="U123"
    )
    assert prefs == {"persona_id": SEED_PERSONA_2_ID}
    await running.command("defaults")
    form = await opened_form(running, count=3)
    form_values = submitted(form)
    form_values[modal.B_PERSONA] = {"pick_persona": {"type": "external_select"}}
    payload = view_submission_payload(modal.CALLBACK_ID, values=form_values)
    await running.post_slack(interaction_body(payload))

    prefs = await running.app.services.store.get_preferences(
        team_id="T0001", scope="user", scope_id="U123"
    )
    assert prefs == {}
    await running.command("call")  # no persona anywhere now: the form asks
    opened = await opened_form(running, count=4)
    assert opened["callback_id"] == "start_conversation"


async def test_the_unavailable_note_is_refused_inline(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await running.command("defaults")

    answer = await submit(running, await opened_form(running), **{modal.B_PERSONA: UNAVAILABLE})

    assert answer["response_action"] == "errors" and modal.B_PERSONA in answer["errors"]
    assert (
        await running.app.services.store.get_preferences(
            team_id="T0001", scope="user", scope_id="U123"
        )
        == {}
    )


@pytest.mark.parametrize("forged", ["p2fbd605 x", "../v2/replicas", "<!channel>"])
async def test_what_is_not_an_id_is_refused_inline(
    world: tuple[Harness, Sandbox], forged: str
) -> None:
    """The pickers offer Tavus's ids only; a forged form must not store text that later
    goes into a Tavus URL."""
    running, _ = world
    await running.command("defaults")

    answer = await submit(running, await opened_form(running), **{modal.B_REPLICA: forged})

    assert answer["response_action"] == "errors" and modal.B_REPLICA in answer["errors"]
    preferences = await running.app.services.store.get_preferences(
        team_id="T0001", scope="user", scope_id="U123"
    )
    assert preferences == {}


async def test_app_home_has_a_button_for_it(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    payload = block_action_payload(DEFAULTS_ACTION, view={"id": "VHOME", "type": "home"})

    await running.post_slack(interaction_body(payload))

    assert (await opened_form(running))["callback_id"] == modal.CALLBACK_ID


@pytest.mark.parametrize("where", ["home", "shortcut"])
async def test_forms_opened_without_a_command_start_from_my_defaults(
    world: tuple[Harness, Sandbox], where: str
) -> None:
    running, _ = world
    await running.command("defaults")
    chosen = {modal.B_PERSONA: SEED_PERSONA_2_ID, modal.B_REPLICA: SEED_REPLICA_2_ID}
    await submit(running, await opened_form(running), **chosen)

    if where == "home":
        payload = block_action_payload(START_ACTION, view={"id": "VHOME", "type": "home"})
    else:
        payload = global_shortcut(START_CALL)
    await running.post_slack(interaction_body(payload))

    form = await opened_form(running, count=2)
    assert form["callback_id"] == "start_conversation"
    picked = {
        block["block_id"]: block["element"].get("initial_option", {}).get("value")
        for block in form["blocks"]
        if block.get("block_id") in ("persona", "replica")
    }
    assert picked == {"persona": SEED_PERSONA_2_ID, "replica": SEED_REPLICA_2_ID}


async def test_a_default_tavus_no_longer_knows_is_named_with_the_way_out(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    tavus = running.app.services.tavus
    mine = await tavus.personas.create(persona_name="Mine", system_prompt="Be brief.")
    await running.command("defaults")
    await submit(running, await opened_form(running), **{modal.B_PERSONA: mine.persona_id})
    await tavus.personas.delete(mine.persona_id)

    await running.command("call")

    (answer,) = await running.slack.wait_for_response()
    assert "Tavus says" in answer["text"]
    assert f"`{mine.persona_id}` is your default persona" in answer["text"]
    assert "/tavus defaults" in answer["text"]
    assert sandbox.state.conversations == {}


async def test_the_workspace_default_replica_is_named_when_tavus_refuses_it(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    del sandbox.state.replicas[SEED_REPLICA_ID]  # gone from the account since it was set

    await running.command("video Hello")

    (answer,) = await running.slack.wait_for_response()
    assert "is the workspace's default replica (TAVUS_DEFAULT_REPLICA_ID)" in answer["text"]
