"""`/tavus guardrails`, `guardrail show|new|edit|delete` through the real route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import guardrail_modal as modal
from bot.blocks.guardrail_modal import block_id
from bot.blocks.listing import DELETE_ACTION
from bot.tavus import GuardrailSpec
from tests.fakes.signing import block_action_payload
from tests.fakes.slack import FakeSlack
from tests.handlers.steering_forms import click_add, form_opened_by, submit_form
from tests.harness import Harness, Sandbox, app_settings, free_port, harness, tavus_sandbox

STRANGER = "U999"
NAME0, PROMPT0 = block_id(0, modal.NAME), block_id(0, modal.PROMPT)
NAME1, PROMPT1 = block_id(1, modal.NAME), block_id(1, modal.PROMPT)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    port = free_port()
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "t.db",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
        )
        async with harness(slack, settings) as h:
            yield h, sandbox


async def made_in_slack(running: Harness, sandbox: Sandbox) -> str:
    view_id, view = await form_opened_by(running, "guardrail new")
    typed = {modal.SET_NAME: "Compliance", NAME0: "no_pricing", PROMPT0: "Never quote prices"}
    await submit_form(running, view_id, view, **typed)
    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Created" in json.dumps(c.args["view"])
    )
    (found,) = sandbox.state.guardrails.values()
    return str(found["guardrails_id"])


async def answer_to(running: Harness, text: str, **fields: Any) -> dict[str, Any]:
    """Runs `/tavus <text>` and waits for its (first) answer."""
    count = len(running.slack.responses) + 1
    await running.command(text, **fields)
    return (await running.slack.wait_for_response(count=count))[-1]


def blocks_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks"), ensure_ascii=False)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


async def test_sets_are_listed_and_shown(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    ours = await made_in_slack(running, sandbox)
    specs: list[GuardrailSpec] = [{"guardrail_name": "no_advice", "guardrail_prompt": "No"}]
    theirs = await running.app.services.tavus.guardrails.create(name="Other", guardrails=specs)

    listed = await answer_to(running, "guardrails")
    shown_ours = await answer_to(running, f"guardrail show {ours}")
    shown_theirs = await answer_to(running, f"guardrail show {theirs.guardrails_id}")

    assert "*Compliance* · 1 guardrail: *no_pricing*" in listed["text"] + blocks_text(listed)
    assert "*Other*" in blocks_text(listed)
    assert "a warning is posted" in blocks_text(shown_ours)
    assert "not posted in Slack" in blocks_text(shown_theirs)
    running.slack.assert_nothing_rejected()


async def test_the_owner_renames_the_set_and_adds_a_guardrail(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    guardrails_id = await made_in_slack(running, sandbox)
    url = sandbox.state.guardrails[guardrails_id]["data"][0]["callback_url"]

    view_id, view = await form_opened_by(
        running, f"guardrail edit {guardrails_id}", filled_later=True
    )
    assert '"initial_value": "Compliance"' in json.dumps(view)
    grown = await click_add(running, view_id, view, modal.ADD_ACTION)
    typed = {modal.SET_NAME: "Compliance v2", NAME1: "no_advice", PROMPT1: "No medical advice"}
    await submit_form(running, view_id, grown, **typed)

    (saved,) = await running.slack.wait_for(
        "views.update", predicate=lambda c: "Saved guardrails" in json.dumps(c.args["view"])
    )
    assert "renamed the set to Compliance v2" in json.dumps(saved.args["view"])
    found = sandbox.state.guardrails[guardrails_id]
    assert found["name"] == "Compliance v2"
    assert [g["guardrail_name"] for g in found["data"]] == ["no_pricing", "no_advice"]
    assert found["data"][1]["callback_url"] == url
    resource = await running.app.services.store.get_resource(
        kind="guardrail", tavus_id=guardrails_id
    )
    assert resource is not None and resource.name == "Compliance v2"


@pytest.mark.parametrize(
    ("typed", "wrong"),
    [
        ({modal.SET_NAME: None}, {modal.SET_NAME}),
        ({NAME0: None, PROMPT0: None}, {NAME0}),
        ({NAME0: "no-pricing"}, {NAME0}),
        ({NAME0: "x" * 101}, {NAME0}),
        ({PROMPT0: "x" * 1001}, {PROMPT0}),
        ({NAME1: "no_pricing", PROMPT1: "Again"}, {NAME1}),
        ({PROMPT1: "A prompt without a name"}, {NAME1}),
    ],
)
async def test_a_wrong_form_is_answered_inline_and_tavus_hears_nothing(
    world: tuple[Harness, Sandbox], typed: dict[str, str | None], wrong: set[str]
) -> None:
    running, sandbox = world
    view_id, _ = await form_opened_by(running, "guardrail new")
    two = modal.guardrails_modal(modal.Setup(channel_id="C123", count=2))
    filled = {modal.SET_NAME: "Set", NAME0: "no_pricing", PROMPT0: "Never quote", **typed}

    ack = await submit_form(running, view_id, two, **filled)

    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == wrong
    assert sandbox.state.guardrails == {}


async def test_only_the_owner_or_an_admin_deletes(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    guardrails_id = await made_in_slack(running, sandbox)

    refused = await answer_to(running, f"guardrail delete {guardrails_id}", user_id=STRANGER)
    refused_edit = await answer_to(running, f"guardrail edit {guardrails_id}", user_id=STRANGER)
    ask = await answer_to(running, f"guardrail delete {guardrails_id}")

    assert "Only <@U123>" in refused["text"] and "Only <@U123>" in refused_edit["text"]
    (delete,) = buttons(ask)
    click = block_action_payload(
        DELETE_ACTION, value=delete["value"], response_url=running.slack.response_url
    )
    await running.interact(click)
    await running.slack.wait_for_response(count=4)
    assert sandbox.state.guardrails == {}
