"""App Home end to end: a user's live call and ready video on their tab, its End and Delete
buttons, what another member and an admin see, and the tab following a call as it ends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import home as blocks
from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from storage import Resource
from tests.fakes.blockkit import assert_valid_view
from tests.fakes.signing import USER_ID, block_action_payload, interaction_body
from tests.fakes.slack import SlackCall
from tests.harness import ADMIN_ID, Harness, Sandbox, app_world

OTHER_ID = "U999"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path,
        called_back=True,
        sandbox_options={"joined_delay": 0.05, "video_delay": 0.1},
        default_replica_id=SEED_REPLICA_ID,
    ) as (h, sandbox):
        yield h, sandbox


async def settled(running: Harness, kind: str, status: str) -> Resource:
    store = running.app.services.store
    for _ in range(200):
        found = [r for r in await store.list_resources(kind=kind) if r.status == status]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {kind} became {status}")


async def open_home(running: Harness, user_id: str) -> dict[str, Any]:
    before = len(running.slack.calls_to("views.publish"))
    response = await running.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    assert response.status_code == 200
    return await next_view(running, before)


async def next_view(running: Harness, before: int) -> dict[str, Any]:
    calls = await running.slack.wait_for("views.publish", count=before + 1, timeout=10)
    call: SlackCall = calls[-1]
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert_valid_view(view)
    return dict(view)


async def click(running: Harness, action_id: str, value: str, user_id: str = USER_ID) -> None:
    payload = block_action_payload(action_id, value=value, user_id=user_id, view={"id": "VHOME"})
    payload["view"]["type"] = "home"
    response = await running.post_slack(interaction_body(payload))
    assert response.status_code == 200


def buttons(view: dict[str, Any], action_id: str) -> list[str]:
    return [
        element.get("value", "")
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    ]


async def test_the_tab_lists_my_call_and_video_and_its_buttons_work(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await running.command(f"call {SEED_PERSONA_ID}")
    call = await settled(running, "conversation", "live")
    await running.command("video Hello from the home tab")
    video = await settled(running, "video", "ready")

    view = await open_home(running, USER_ID)

    shown = json.dumps(view)
    assert call.tavus_id in shown and video.tavus_id in shown
    assert buttons(view, blocks.END_ACTION) == [call.tavus_id]
    assert buttons(view, blocks.DELETE_ACTION) == [f"video:{video.tavus_id}:soft"]
    assert "Getting started" not in shown
    assert "Your team" not in shown  # not an admin

    before = len(running.slack.calls_to("views.publish"))
    await click(running, blocks.END_ACTION, call.tavus_id or "")
    ended = await next_view(running, before)
    assert "Ending" in json.dumps(ended)
    assert sandbox.state.conversations[call.tavus_id or ""].status == "ended"

    before = len(running.slack.calls_to("views.publish"))
    await click(running, blocks.DELETE_ACTION, f"video:{video.tavus_id}:soft")
    deleted = await next_view(running, before)
    assert "Deleted video" in json.dumps(deleted)
    assert buttons(deleted, blocks.DELETE_ACTION) == []  # gone from the shelf
    gone = await running.app.services.store.get_resource(
        kind="video", tavus_id=video.tavus_id or ""
    )
    assert gone is not None and gone.status == "deleted"
    running.slack.assert_nothing_rejected()


async def test_another_member_sees_none_of_it_and_an_admin_sees_the_team(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world
    await running.command(f"call {SEED_PERSONA_ID}")
    call = await settled(running, "conversation", "live")

    other = json.dumps(await open_home(running, OTHER_ID))
    admin = await open_home(running, ADMIN_ID)

    assert call.tavus_id not in other and "Getting started" in other
    team = json.dumps(admin)
    assert "Your team" in team and call.tavus_id in team and f"<@{USER_ID}>" in team
    assert "1 conversation" in team
    assert buttons(admin, blocks.END_ACTION) == []  # the team part lists; it has no buttons


async def test_someone_else_cannot_end_my_call_from_their_tab(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    await running.command(f"call {SEED_PERSONA_ID}")
    call = await settled(running, "conversation", "live")
    before = len(running.slack.calls_to("views.publish"))

    await click(running, blocks.END_ACTION, call.tavus_id or "", user_id=OTHER_ID)

    refused = json.dumps(await next_view(running, before))
    assert "only" in refused.lower() and f"<@{USER_ID}>" in refused
    assert sandbox.state.conversations[call.tavus_id or ""].status != "ended"


async def test_an_open_tab_follows_the_call_as_it_ends(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    await running.command(f"call {SEED_PERSONA_ID}")
    call = await settled(running, "conversation", "live")
    # The refresher leaves a tab alone for a few seconds after a publish; not in this test.
    running.app.services.homes.gap_seconds = 0.0
    view = await open_home(running, USER_ID)
    assert buttons(view, blocks.END_ACTION) == [call.tavus_id]

    await running.app.services.tavus.conversations.end(call.tavus_id or "")
    await settled(running, "conversation", "ended")
    before = len(running.slack.calls_to("views.publish"))

    refreshed = await next_view(running, before)
    assert buttons(refreshed, blocks.END_ACTION) == []
    assert sandbox.state.conversations[call.tavus_id or ""].status == "ended"
