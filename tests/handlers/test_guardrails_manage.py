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
from bot.blocks.set_modal import Setup
from bot.tavus import GuardrailSpec
from tests.fakes.signing import block_action_payload
from tests.handlers.steering_forms import click_add, form_opened_by, submit_form
from tests.harness import Harness, Sandbox, app_world

STRANGER = "U999"
NAME0, PROMPT0 = block_id(0, modal.NAME), block_id(0, modal.PROMPT)
NAME1, PROMPT1 = block_id(1, modal.NAME), block_id(1, modal.PROMPT)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path, called_back=True) as (h, sandbox):
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
    two = modal.guardrails_modal(Setup(channel_id="C123", count=2))
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


# -- an edit sends only what changed, and never what the form could not show ------------------


def patches(sandbox: Sandbox) -> list[Any]:
    return [r.body for r in sandbox.state.requests if r.method == "PATCH"]


async def test_a_prompt_longer_than_the_form_is_not_cut_by_renaming_the_set(
    world: tuple[Harness, Sandbox],
) -> None:
    """The review's finding: the form capped a prompt at 1,000 characters, so a save that
    only renamed the set sent the prompt cut."""
    running, sandbox = world
    guardrails_id = await made_in_slack(running, sandbox)
    prompt = "Never quote prices, discounts or delivery dates. " * 30  # 1,500 characters
    sandbox.state.guardrails[guardrails_id]["data"][0]["guardrail_prompt"] = prompt
    sandbox.state.requests.clear()

    view_id, view = await form_opened_by(
        running, f"guardrail edit {guardrails_id}", filled_later=True
    )
    assert PROMPT0 not in json.dumps(view) and "not in this form" in json.dumps(view)
    await submit_form(running, view_id, view, **{modal.SET_NAME: "Compliance v2"})

    await running.slack.wait_for(
        "views.update", predicate=lambda c: "saved" in json.dumps(c.args["view"]).lower()
    )
    # Only the name is sent (the sandbox, holding Tavus's documented 1,000-character limit,
    # then refuses the set as a whole: the prompt stays as it was either way).
    assert patches(sandbox) == [[{"op": "replace", "path": "/name", "value": "Compliance v2"}]]
    assert sandbox.state.guardrails[guardrails_id]["data"][0]["guardrail_prompt"] == prompt


async def test_an_unchanged_form_sends_nothing(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    guardrails_id = await made_in_slack(running, sandbox)
    sandbox.state.requests.clear()

    view_id, view = await form_opened_by(
        running, f"guardrail edit {guardrails_id}", filled_later=True
    )
    await submit_form(running, view_id, view)

    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Nothing to change" in json.dumps(c.args["view"])
    )
    assert patches(sandbox) == []


async def test_a_colleagues_change_is_not_reverted_by_a_form_opened_before_it(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    guardrails_id = await made_in_slack(running, sandbox)
    view_id, view = await form_opened_by(
        running, f"guardrail edit {guardrails_id}", filled_later=True
    )
    sandbox.state.guardrails[guardrails_id]["data"][0]["guardrail_prompt"] = "Never quote"
    sandbox.state.requests.clear()

    ack = await submit_form(running, view_id, view, **{modal.SET_NAME: "Compliance v2"})

    assert ack["response_action"] == "errors"
    assert "changed in Tavus since you opened this form" in ack["errors"][modal.SET_NAME]
    assert patches(sandbox) == []
    found = sandbox.state.guardrails[guardrails_id]
    assert (found["name"], found["data"][0]["guardrail_prompt"]) == ("Compliance", "Never quote")
