"""Who may do what: owners, admins (listed or Slack's own), members and guests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.access import GUEST_REFUSAL, ROLE_TTL_SECONDS, UNVERIFIED_REFUSAL, Access
from bot.blocks import objective_modal
from bot.blocks.conversations import END_CALL_ACTION
from bot.blocks.listing import MORE_ACTION
from bot.blocks.objective_modal import block_id
from bot.sandbox import SEED_PERSONA_ID
from tests.fakes.clock import Clock
from tests.fakes.signing import block_action_payload
from tests.fakes.slack import FakeSlack
from tests.handlers.steering_forms import form_opened_by, submit_form
from tests.harness import Harness, Sandbox, app_settings, harness, tavus_sandbox

OWNER, STRANGER, BOSS, GUEST = "U123", "U999", "UBOSS", "UGUEST"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with FakeSlack() as slack, tavus_sandbox(joined_delay=30) as sandbox:
        slack.set_user(BOSS, is_admin=True)  # a workspace admin, not in TAVUS_SLACK_ADMINS
        slack.set_user(GUEST, is_restricted=True)
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with harness(slack, settings) as h:
            yield h, sandbox


async def _call(running: Harness) -> str:
    await running.command(f"call {SEED_PERSONA_ID}", user_id=OWNER)
    await running.slack.wait_for("chat.postMessage")
    (resource,) = await running.app.services.store.list_resources()
    assert resource.tavus_id is not None
    return resource.tavus_id


async def _end_click(running: Harness, user: str, conversation_id: str) -> str:
    before = len(running.slack.responses)
    click = block_action_payload(
        END_CALL_ACTION,
        value=conversation_id,
        user_id=user,
        response_url=running.slack.response_url,
    )
    await running.interact(click)
    return str((await running.slack.wait_for_response(count=before + 1))[-1]["text"])


async def test_a_member_cannot_end_someone_elses_call(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    cid = await _call(running)
    answer = await _end_click(running, STRANGER, cid)
    assert "Only <@U123> (who started it) or an admin can end" in answer
    assert sandbox.state.conversations[cid].status == "active"


async def test_a_workspace_admin_may_end_anyones_call(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    cid = await _call(running)
    answer = await _end_click(running, BOSS, cid)
    assert answer.startswith(":stop_sign: Ending")


@pytest.mark.parametrize("text", [f"call {SEED_PERSONA_ID}", "video Hello", "replica train"])
async def test_a_guest_is_refused_anything_but_looking(
    world: tuple[Harness, Sandbox], text: str
) -> None:
    running, sandbox = world
    response = await running.command(text, user_id=GUEST)
    assert response.status_code == 200
    (answer,) = await running.slack.wait_for_response()
    assert answer["text"] == GUEST_REFUSAL and answer["response_type"] == "ephemeral"
    assert sandbox.state.conversations == {} and sandbox.state.videos == {}


async def test_a_guest_may_list_and_page(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await running.command("conversations", user_id=GUEST)
    (answer,) = await running.slack.wait_for_response()
    assert "conversations" in answer["text"].lower()
    more = block_action_payload(
        MORE_ACTION, value="conversation:2:", user_id=GUEST, response_url=running.slack.response_url
    )
    await running.interact(more)
    second = (await running.slack.wait_for_response(count=2))[1]
    assert second["text"] != GUEST_REFUSAL


async def test_a_guests_button_click_is_refused(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    cid = await _call(running)
    answer = await _end_click(running, GUEST, cid)
    assert answer == GUEST_REFUSAL
    assert sandbox.state.conversations[cid].status == "active"


async def test_roles_are_asked_of_slack_once_per_few_minutes(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    for _ in range(3):
        await running.command("conversations", user_id=STRANGER)
    assert len(running.slack.calls_to("users.info")) == 0  # listing needs no role
    cid = await _call(running)
    for _ in range(3):
        await _end_click(running, STRANGER, cid)
    assert len([c for c in running.slack.calls_to("users.info") if c.args["user"] == STRANGER]) == 1


async def test_an_unconfirmed_user_may_look_but_not_act(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    running.slack.fail_next("users.info", status=200, error="fatal_error", times=5)

    await running.command(f"call {SEED_PERSONA_ID}", user_id=GUEST)

    (answer,) = await running.slack.wait_for_response()
    assert answer["text"] == UNVERIFIED_REFUSAL
    assert sandbox.state.conversations == {}


async def test_slack_failing_later_keeps_the_role_it_gave(
    world: tuple[Harness, Sandbox], clock: Clock
) -> None:
    running, _ = world
    access = Access(slack=running.app.services.slack, admins=frozenset(), clock=clock)
    assert await access.refusal_to_act(GUEST) == GUEST_REFUSAL  # Slack said: a guest
    assert await access.refusal_to_act(STRANGER) is None  # and: a member
    clock.advance(ROLE_TTL_SECONDS + 1)
    running.slack.fail_next("users.info", status=200, error="fatal_error", times=10)

    assert await access.refusal_to_act(GUEST) == GUEST_REFUSAL
    assert await access.refusal_to_act(STRANGER) is None
    assert len(running.slack.calls_to("users.info")) > 2  # it did ask again


async def test_without_users_read_everyone_is_a_member(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    running.slack.fail_next("users.info", status=200, error="missing_scope", times=5)

    assert await running.app.services.access.refusal_to_act(GUEST) is None


OBJECTIVE_TYPED = {
    block_id(0, objective_modal.NAME): "collect_email",
    block_id(0, objective_modal.PROMPT): "Ask for the email",
}


@pytest.mark.parametrize(("command", "typed"), [("call", {}), ("objective new", OBJECTIVE_TYPED)])
async def test_a_guests_submitted_form_is_refused_in_the_form(
    world: tuple[Harness, Sandbox], command: str, typed: dict[str, str]
) -> None:
    """A form a member opened, submitted by a guest (as when someone is made a guest while
    it is open): the form says why, and nothing reaches Tavus."""
    running, sandbox = world
    view_id, view = await form_opened_by(running, command)

    answer = await submit_form(running, view_id, view, user_id=GUEST, **typed)

    assert answer["response_action"] == "update"
    assert GUEST_REFUSAL in json.dumps(answer["view"])
    await asyncio.sleep(0.3)  # anything started would have reached the sandbox by now
    assert sandbox.state.conversations == {} and sandbox.state.objectives == {}
