"""Objectives and guardrails made in Slack steer a call, and their events land in its thread.

Against the sandbox, by callback: a set created from the form carries the app's callback URL
on each member; a persona using both sets starts a call with `/tavus call`, and the call's
thread gets each objective's completion (its output variables as fields) and the
guardrail's trigger (a warning naming it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import guardrail_modal, objective_modal
from bot.blocks.objective_modal import block_id
from bot.sandbox import SEED_REPLICA_ID
from tests.fakes.blockkit import assert_valid_message, assert_valid_view
from tests.fakes.slack import FakeSlack
from tests.handlers.steering_forms import click_add, form_opened_by, submit_form
from tests.harness import Harness, Sandbox, app_world

SANDBOX_OPTIONS = {
    "joined_delay": 0.05,
    "participant_delay": 0.05,
    "objective_delay": 0.1,
    "guardrail_delay": 0.4,
}


@pytest.fixture(params=["callbacks", "polling"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path, called_back=request.param == "callbacks", sandbox_options=SANDBOX_OPTIONS
    ) as (h, sandbox):
        yield h, sandbox


async def create_objectives(running: Harness, sandbox: Sandbox) -> dict[str, Any]:
    """Two objectives, the second added with the form's button; returns the sandbox's set."""
    view_id, view = await form_opened_by(running, "objective new")
    assert view["callback_id"] == objective_modal.CALLBACK_ID
    assert_valid_view(view)
    first = {
        block_id(0, objective_modal.NAME): "collect_email",
        block_id(0, objective_modal.PROMPT): "Ask for their email",
        block_id(0, objective_modal.VARIABLES): "email, <!here>",
        block_id(0, objective_modal.NEXT): "schedule",
    }
    grown = await click_add(running, view_id, view, objective_modal.ADD_ACTION, **first)
    assert_valid_view(grown)
    # What was typed stays in the redrawn form.
    assert '"initial_value": "collect_email"' in json.dumps(grown)
    ack = await submit_form(
        running,
        view_id,
        grown,
        **{
            block_id(1, objective_modal.NAME): "schedule",
            block_id(1, objective_modal.PROMPT): "Book a demo",
            block_id(1, objective_modal.VARIABLES): "demo_date",
        },
    )
    assert ack["response_action"] == "update"
    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Created objectives" in json.dumps(c.args["view"])
    )
    return _the_one(sandbox, "objectives")


async def create_guardrails(running: Harness, sandbox: Sandbox) -> dict[str, Any]:
    view_id, view = await form_opened_by(running, "guardrails new")
    assert view["callback_id"] == guardrail_modal.CALLBACK_ID
    ack = await submit_form(
        running,
        view_id,
        view,
        **{
            guardrail_modal.SET_NAME: "Compliance",
            guardrail_modal.block_id(0, guardrail_modal.NAME): "no_medical_advice",
            guardrail_modal.block_id(0, guardrail_modal.PROMPT): "Never give medical advice",
        },
    )
    assert ack["response_action"] == "update"
    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Created guardrails" in json.dumps(c.args["view"])
    )
    return _the_one(sandbox, "guardrails")


def _the_one(sandbox: Sandbox, what: str) -> dict[str, Any]:
    (found,) = getattr(sandbox.state, what).values()
    return dict(found)


async def thread_replies(slack: FakeSlack, count: int) -> list[dict[str, Any]]:
    """The replies under the one call card in C123, once there are ``count``."""

    def replies() -> list[dict[str, Any]]:
        cards = [m for m in slack.messages("C123") if m["thread_ts"] is None]
        return slack.messages("C123", thread_ts=cards[0]["ts"]) if len(cards) == 1 else []

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while len(replies()) < count and loop.time() < deadline:  # noqa: ASYNC110 - a deadline
        await asyncio.sleep(0.02)
    return replies()


@pytest.mark.parametrize("world", ["callbacks"], indirect=True)
async def test_a_calls_thread_gets_its_objectives_and_its_guardrail(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    objectives = await create_objectives(running, sandbox)
    guardrails = await create_guardrails(running, sandbox)
    public = str(running.app.services.settings.public_url)
    urls = [o["callback_url"] for o in objectives["data"]] + [
        g["callback_url"] for g in guardrails["data"]
    ]
    assert all(url.startswith(f"{public}/tavus/callbacks/") for url in urls)
    persona = await running.app.services.tavus.personas.create(
        persona_name="Steered",
        system_prompt="You are a sales assistant.",
        default_replica_id=SEED_REPLICA_ID,
        objectives_id=objectives["objectives_id"],
        guardrails_id=guardrails["guardrails_id"],
    )

    await running.command(f"call {persona.persona_id}")

    replies = await thread_replies(running.slack, 4)
    texts = [reply["text"] for reply in replies]
    assert texts[0] == ":wave: The replica joined the call."
    completions = [r for r in replies if r["text"].startswith(":dart:")]
    assert [r["text"].splitlines()[0] for r in completions] == [
        ":dart: Objective *collect_email* completed.",
        ":dart: Objective *schedule* completed.",
    ]
    fields = [f["text"] for b in completions[0]["blocks"] if "fields" in b for f in b["fields"]]
    assert fields == ["*email*\njordan.lee@example.com", "*&lt;!here&gt;*\nsample &lt;!here&gt;"]
    assert ":warning: Guardrail *no_medical_advice* was triggered in this call." in texts
    for reply in replies:
        assert_valid_message(reply["text"], reply["blocks"])
    # Nothing landed outside the call's thread.
    assert [m for m in running.slack.messages() if m["thread_ts"] is None] == [
        m for m in running.slack.messages("C123") if m["thread_ts"] is None
    ]
    running.slack.assert_nothing_rejected()
    assert "<!here>" not in json.dumps(running.slack.messages())  # the forms' inputs may hold it


@pytest.mark.parametrize("world", ["polling"], indirect=True)
async def test_without_a_public_url_the_form_says_completions_will_not_come(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world

    objectives = await create_objectives(running, sandbox)

    assert all(o.get("callback_url") is None for o in objectives["data"])
    (done,) = running.slack.calls_to("views.update")[-1:]
    assert "PUBLIC_URL" in json.dumps(done.args["view"])
    resource = await running.app.services.store.get_resource(
        kind="objective", tavus_id=objectives["objectives_id"]
    )
    assert resource is not None and resource.finished
    assert running.slack.messages() == []  # a set has no card of its own
