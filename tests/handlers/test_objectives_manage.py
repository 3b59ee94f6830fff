"""`/tavus objectives`, `objective show|new|edit|delete` through the real route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import objective_modal as modal
from bot.blocks.listing import DELETE_ACTION
from bot.blocks.objective_modal import block_id
from bot.blocks.set_modal import Setup
from bot.tavus import ObjectiveSpec
from tests.fakes.signing import block_action_payload
from tests.handlers.steering_forms import click_add, form_opened_by, submit_form
from tests.harness import ADMIN_ID, Harness, Sandbox, app_world

OWNER = "U123"
STRANGER = "U999"
NAME0, PROMPT0, NEXT0 = (block_id(0, f) for f in (modal.NAME, modal.PROMPT, modal.NEXT))
NAME1, PROMPT1, BRANCHES1 = (block_id(1, f) for f in (modal.NAME, modal.PROMPT, modal.BRANCHES))


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path, called_back=True) as (h, sandbox):
        yield h, sandbox


async def made_in_slack(running: Harness, sandbox: Sandbox, user_id: str = OWNER) -> str:
    """A set of one objective, created with the form by ``user_id``; returns its id."""
    view_id, view = await form_opened_by(running, "objective new", user_id=user_id)
    typed = {NAME0: "collect_email", PROMPT0: "Ask for the email"}
    await submit_form(running, view_id, view, user_id=user_id, **typed)
    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Created" in json.dumps(c.args["view"])
    )
    (found,) = sandbox.state.objectives.values()
    return str(found["objectives_id"])


async def made_elsewhere(running: Harness, *names: str) -> str:
    specs: list[ObjectiveSpec] = [
        {"objective_name": name, "objective_prompt": f"Do {name}"} for name in names
    ]
    return (await running.app.services.tavus.objectives.create(specs)).objectives_id


async def answer_to(running: Harness, text: str, **fields: Any) -> dict[str, Any]:
    """Runs `/tavus <text>` and waits for its (first) answer."""
    count = len(running.slack.responses) + 1
    await running.command(text, **fields)
    return (await running.slack.wait_for_response(count=count))[-1]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


async def test_sets_are_listed_with_their_objectives(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    first = await made_elsewhere(running, "greet")
    second = await made_elsewhere(running, "collect_email", "schedule")

    await running.command("objectives")

    (listed,) = await running.slack.wait_for_response(count=1)
    shown = json.dumps(listed["blocks"])
    assert "(1–2 of 2)" in listed["text"]
    assert shown.index(second) < shown.index(first)
    assert "2 objectives: *collect_email*, *schedule*" in shown
    running.slack.assert_nothing_rejected()


async def test_show_says_whether_completions_reach_slack(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    ours = await made_in_slack(running, sandbox)
    theirs = await made_elsewhere(running, "greet")

    shown_ours = await answer_to(running, f"objective show {ours}")
    shown_theirs = await answer_to(running, f"objective show {theirs}")

    assert "*1. collect_email*" in json.dumps(shown_ours["blocks"])
    assert "posted in that call" in json.dumps(shown_ours["blocks"])
    assert "not posted in Slack" in json.dumps(shown_theirs["blocks"])


async def test_the_owner_edits_a_set_and_only_the_changes_are_sent(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    objectives_id = await made_in_slack(running, sandbox)
    url = sandbox.state.objectives[objectives_id]["data"][0]["callback_url"]
    sandbox.state.requests.clear()

    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True
    )
    assert view["submit"]["text"] == "Save"
    grown = await click_add(running, view_id, view, modal.ADD_ACTION)
    ack = await submit_form(
        running,
        view_id,
        grown,
        **{
            NAME0: "collect_email",
            PROMPT0: "Ask nicely for the email",
            NEXT0: "wrap_up",
            NAME1: "wrap_up",
            PROMPT1: "Say goodbye",
        },
    )

    assert ack["response_action"] == "update"
    (saved,) = await running.slack.wait_for(
        "views.update", predicate=lambda c: "Saved objectives" in json.dumps(c.args["view"])
    )
    said = json.dumps(saved.args["view"])
    assert "changed the objective prompt of collect_email" in said
    assert "added objective wrap_up" in said
    data = sandbox.state.objectives[objectives_id]["data"]
    assert [o["objective_name"] for o in data] == ["collect_email", "wrap_up"]
    assert data[0]["objective_prompt"] == "Ask nicely for the email"
    assert data[0]["next_required_objective"] == "wrap_up"
    assert data[1]["callback_url"] == url  # the new one reports to the set's token too
    (patch,) = [r for r in sandbox.state.requests if r.method == "PATCH"]
    assert {op["path"] for op in patch.body} == {
        "/data/0/objective_prompt",
        "/data/0/next_required_objective",
        "/data/1",
    }


async def test_saving_an_unchanged_form_sends_nothing(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    objectives_id = await made_in_slack(running, sandbox)
    sandbox.state.requests.clear()

    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True
    )
    await submit_form(running, view_id, view)

    (saved,) = await running.slack.wait_for(
        "views.update", predicate=lambda c: "Nothing to change" in json.dumps(c.args["view"])
    )
    assert [r.method for r in sandbox.state.requests if r.method != "GET"] == []


async def test_only_the_owner_or_an_admin_edits(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    objectives_id = await made_in_slack(running, sandbox)
    opens = len(running.slack.calls_to("views.open"))

    await running.command(f"objective edit {objectives_id}", user_id=STRANGER)

    (refused,) = await running.slack.wait_for_response(count=1)
    assert "Only <@U123>" in refused["text"] and "edit" in refused["text"]
    assert len(running.slack.calls_to("views.open")) == opens
    # A form opened before is checked again when it is submitted.
    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True
    )
    await submit_form(running, view_id, view, user_id=STRANGER, **{PROMPT0: "Mine now"})
    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Not saved" in json.dumps(c.args["view"])
    )
    assert sandbox.state.objectives[objectives_id]["data"][0]["objective_prompt"] != "Mine now"
    opens = len(running.slack.calls_to("views.open"))
    await running.command(f"objective edit {objectives_id}", user_id=ADMIN_ID)
    await running.slack.wait_for("views.open", count=opens + 1)


async def test_editing_a_set_tavus_does_not_know_says_so(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    await running.command("objective edit o0000000000", user_id=ADMIN_ID)

    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Not saved" in json.dumps(c.args["view"])
    )


@pytest.mark.parametrize(
    ("typed", "wrong"),
    [
        ({NAME0: None, PROMPT0: None}, {NAME0}),
        ({NAME0: "collect email"}, {NAME0}),
        ({PROMPT0: None}, {PROMPT0}),
        ({NEXT0: "nowhere"}, {NEXT0}),
        ({NEXT0: "collect_email"}, {NEXT0}),
        ({NAME1: "collect_email", PROMPT1: "Again"}, {NAME1}),
        ({NAME1: "wrap_up", PROMPT1: "Bye", BRANCHES1: "collect_email"}, {BRANCHES1}),
        ({NAME1: "wrap_up", PROMPT1: "Bye", BRANCHES1: "nowhere: if so"}, {BRANCHES1}),
        ({NAME1: "wrap_up"}, {block_id(1, modal.PROMPT)}),
    ],
)
async def test_a_wrong_form_is_answered_inline_and_tavus_hears_nothing(
    world: tuple[Harness, Sandbox], typed: dict[str, str | None], wrong: set[str]
) -> None:
    running, sandbox = world
    view_id, view = await form_opened_by(running, "objective new")
    two = modal.objectives_modal(Setup(channel_id="C123", count=2))
    filled = {NAME0: "collect_email", PROMPT0: "Ask", **typed}

    ack = await submit_form(running, view_id, two, **filled)

    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == wrong
    assert sandbox.state.objectives == {}


async def test_a_blank_second_objective_is_left_out(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    view_id, _ = await form_opened_by(running, "objective new")
    two = modal.objectives_modal(Setup(channel_id="C123", count=2))

    ack = await submit_form(running, view_id, two, **{NAME0: "greet", PROMPT0: "Say hi"})

    assert ack["response_action"] == "update"
    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Created" in json.dumps(c.args["view"])
    )
    (found,) = sandbox.state.objectives.values()
    assert [o["objective_name"] for o in found["data"]] == ["greet"]


async def test_the_owner_deletes_a_set(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    objectives_id = await made_in_slack(running, sandbox)

    refused = await answer_to(running, f"objective delete {objectives_id}", user_id=STRANGER)
    ask = await answer_to(running, f"objective delete {objectives_id}")

    assert "Only <@U123>" in refused["text"]
    assert "Personas that use these objectives" in ask["text"]
    (delete,) = buttons(ask)
    click = block_action_payload(
        DELETE_ACTION, value=delete["value"], response_url=running.slack.response_url
    )
    await running.interact(click)
    await running.slack.wait_for_response(count=3)
    assert sandbox.state.objectives == {}
    resource = await running.app.services.store.get_resource(
        kind="objective", tavus_id=objectives_id
    )
    assert resource is not None and resource.status == "deleted"


async def test_a_set_tavus_shows_by_its_first_objective_is_edited_in_that_shape(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    objectives_id = await made_in_slack(running, sandbox)
    sandbox.state.configure(objectives_get_shape="object")  # GET: {"data": {...}}
    sandbox.state.requests.clear()

    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True
    )
    assert not buttons(view)  # no "Add an objective": Tavus showed one of the set
    await submit_form(running, view_id, view, **{PROMPT0: "Ask again"})

    await running.slack.wait_for(
        "views.update", predicate=lambda c: "Saved objectives" in json.dumps(c.args["view"])
    )
    (patch,) = [r for r in sandbox.state.requests if r.method == "PATCH"]
    assert patch.body == [{"op": "replace", "path": "/data/objective_prompt", "value": "Ask again"}]
    assert sandbox.state.objectives[objectives_id]["data"][0]["objective_prompt"] == "Ask again"


# -- an edit sends only what changed, and never what the form could not show ------------------

VARIABLES0, MODE0 = block_id(0, modal.VARIABLES), block_id(0, modal.MODE)


def patches(sandbox: Sandbox) -> list[Any]:
    return [r.body for r in sandbox.state.requests if r.method == "PATCH"]


async def saved(running: Harness, words: str = "Saved objectives") -> str:
    (done,) = await running.slack.wait_for(
        "views.update", predicate=lambda c: words in json.dumps(c.args["view"])
    )
    return json.dumps(done.args["view"])


async def test_a_prompt_longer_than_the_form_survives_an_edit_of_another_field(
    world: tuple[Harness, Sandbox],
) -> None:
    """The review's repro: a 4,320-character prompt came back as 2,992 characters after the
    owner only added an output variable."""
    running, sandbox = world
    prompt = "Ask politely for the email address. " * 120
    objectives_id = await made_elsewhere(running, "collect_email")
    sandbox.state.objectives[objectives_id]["data"][0]["objective_prompt"] = prompt
    sandbox.state.requests.clear()

    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True, user_id=ADMIN_ID
    )
    assert PROMPT0 not in json.dumps(view) and "not in this form" in json.dumps(view)
    ack = await submit_form(running, view_id, view, user_id=ADMIN_ID, **{VARIABLES0: "email"})

    assert ack["response_action"] == "update"
    assert "changed the output variables of collect_email" in await saved(running)
    assert sandbox.state.objectives[objectives_id]["data"][0]["objective_prompt"] == prompt
    assert patches(sandbox) == [
        [{"op": "replace", "path": "/data/0/output_variables", "value": ["email"]}]
    ]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("next_required_objectives", ["b", "c"], "b, c"),  # the docs page's list
        ("confirmation_mode", "on_request", "on_request"),  # a mode Tavus added since
    ],
)
async def test_saving_the_form_unchanged_keeps_what_it_could_not_show_before(
    world: tuple[Harness, Sandbox], field: str, value: Any, shown: str
) -> None:
    """Before: the form showed only the first next objective (saving wrote ["b"]), and an
    unknown confirmation mode as "Automatic" (saving wrote "auto")."""
    running, sandbox = world
    objectives_id = await made_elsewhere(running, "a", "b", "c")
    sandbox.state.objectives[objectives_id]["data"][0][field] = value
    sandbox.state.requests.clear()

    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True, user_id=ADMIN_ID
    )
    assert shown in json.dumps(view)
    await submit_form(running, view_id, view, user_id=ADMIN_ID)

    await saved(running, "Nothing to change")
    assert patches(sandbox) == []
    assert sandbox.state.objectives[objectives_id]["data"][0][field] == value


async def test_a_colleagues_change_is_not_reverted_by_a_form_opened_before_it(
    world: tuple[Harness, Sandbox],
) -> None:
    """The review's repro: while the owner's form was open an admin fixed the prompt, and
    the owner's save (adding an output variable) silently put the old prompt back."""
    running, sandbox = world
    objectives_id = await made_in_slack(running, sandbox)
    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True
    )
    sandbox.state.objectives[objectives_id]["data"][0]["objective_prompt"] = "Ask for work email"
    sandbox.state.requests.clear()

    ack = await submit_form(running, view_id, view, **{VARIABLES0: "email"})

    assert ack["response_action"] == "errors"
    assert "changed in Tavus since you opened this form" in ack["errors"][NAME0]
    assert "nothing was sent" in ack["errors"][NAME0]
    assert patches(sandbox) == []
    assert sandbox.state.objectives[objectives_id]["data"][0]["objective_prompt"] == (
        "Ask for work email"
    )
    # Opened again, the form shows the set as it is now, and saves.
    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True
    )
    await submit_form(running, view_id, view, **{VARIABLES0: "email"})
    await saved(running)
    assert patches(sandbox) == [
        [{"op": "replace", "path": "/data/0/output_variables", "value": ["email"]}]
    ]


async def test_an_edit_form_without_the_version_it_opened_on_sends_nothing(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    objectives_id = await made_in_slack(running, sandbox)
    view_id, view = await form_opened_by(
        running, f"objective edit {objectives_id}", filled_later=True
    )
    old = Setup(channel_id=None, editing=objectives_id)  # a form opened before versions
    sandbox.state.requests.clear()

    ack = await submit_form(
        running, view_id, {**view, "private_metadata": old.metadata()}, **{PROMPT0: "Mine"}
    )

    assert ack["response_action"] == "errors" and "out of date" in ack["errors"][NAME0]
    assert patches(sandbox) == []
