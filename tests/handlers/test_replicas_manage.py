"""Listing, showing, renaming and deleting replicas, and the stock voices, from Slack."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks.listing import DELETE_ACTION, MORE_ACTION
from bot.blocks.replicas import VOICES_MORE_ACTION
from bot.sandbox import SEED_REPLICA_2_ID, SEED_REPLICA_ID
from tests.fakes.signing import block_action_payload
from tests.handlers.replica_forms import submit
from tests.harness import ADMIN_ID, Harness, Sandbox, app_world

STRANGER = "U999"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    # Training outlasts every test here: the replica stays "training" while it is managed.
    async with app_world(tmp_path, sandbox_options={"training_delay": 600}) as (h, sandbox):
        yield h, sandbox


def replica(replica_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "replica_id": replica_id,
        "replica_name": f"Replica {replica_id}",
        "thumbnail_video_url": None,
        "training_progress": "100/100",
        "status": "completed",
        "created_at": "2024-01-24T07:14:03.327Z",
        "updated_at": "2024-01-24T07:14:03.327Z",
        "error_message": None,
        "replica_type": "user",
        "model_name": "phoenix-4",
        "callback_url": None,
        "train_video_url": None,
        "train_image_url": None,
        "consent_video_url": None,
        "voice_name": None,
        **fields,
    }


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] or [] if b["type"] == "actions" for e in b["elements"]]


async def answer(running: Harness, text: str, count: int, **fields: Any) -> dict[str, Any]:
    await running.command(text, **fields)
    return (await running.slack.wait_for_response(count=count))[count - 1]


async def trained_from_slack(running: Harness, sandbox: Sandbox) -> str:
    await submit(running)
    await running.slack.wait_for("chat.postMessage")
    (found,) = [r for r in sandbox.state.replicas.values() if r["replica_type"] == "user"]
    return str(found["replica_id"])


# -- listing ---------------------------------------------------------------------------------


async def test_replicas_lists_every_replica_with_its_state(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    sandbox.state.replicas["r11111111"] = replica(
        "r11111111", status="started", training_progress="30/100"
    )
    sandbox.state.replicas["r22222222"] = replica(
        "r22222222", status="error", error_message="too short <!channel>"
    )

    listed = await answer(running, "replicas", 1)

    assert "(1–5 of 5)" in listed["text"]
    shown = json.dumps(listed["blocks"], ensure_ascii=False)
    assert "training ▓▓▓░░░░░░░ 30%" in shown
    assert "failed: too short &lt;!channel&gt;" in shown
    assert f"`{SEED_REPLICA_ID}` *Anna* · ready · phoenix-3 · stock" in shown
    running.slack.assert_nothing_rejected()


@pytest.mark.parametrize(("text", "count"), [("replicas system", 3), ("replicas list user", 0)])
async def test_replicas_filter_by_type(
    world: tuple[Harness, Sandbox], text: str, count: int
) -> None:
    running, _ = world

    listed = await answer(running, text, 1)

    if count:
        assert f"(1–{count} of {count})" in listed["text"]
    else:
        assert listed["text"] == "No user replicas on this Tavus account."


async def test_an_unknown_filter_is_explained(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    listed = await answer(running, "replicas list mine", 1)

    assert listed["text"] == "Filter replicas by `user` or `system`."


async def test_more_pages_through_user_replicas(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    for n in range(11):
        replica_id = f"r{n:02d}abcdef1"
        sandbox.state.replicas[replica_id] = replica(replica_id)

    first = await answer(running, "replicas user", 1)
    assert "(1–10 of 11)" in first["text"]
    (more,) = buttons(first)
    assert more["action_id"] == MORE_ACTION

    await running.interact(
        block_action_payload(
            MORE_ACTION, value=more["value"], response_url=running.slack.response_url
        )
    )
    second = (await running.slack.wait_for_response(count=2))[1]
    assert "(11–11 of 11)" in second["text"]


# -- show ------------------------------------------------------------------------------------


async def test_show_gives_the_state_and_how_to_use_it(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    shown = await answer(running, f"replica show {SEED_REPLICA_2_ID}", 1)

    blocks = json.dumps(shown["blocks"], ensure_ascii=False)
    assert "*Status:* ready" in blocks and "*Type:* system" in blocks
    assert f"/tavus call {SEED_REPLICA_2_ID}" in blocks
    assert "|preview video>" in blocks


async def test_show_of_a_failed_replica_says_what_to_do(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    sandbox.state.replicas["r33333333"] = replica(
        "r33333333", status="error", error_message="Consent statement not found"
    )

    shown = await answer(running, "replica show r33333333", 1)

    blocks = json.dumps(shown["blocks"], ensure_ascii=False)
    assert "*Why:* Consent statement not found" in blocks
    assert "consent statement, word for word" in blocks


async def test_show_of_an_unknown_replica_says_tavus_said_so(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world

    shown = await answer(running, "replica show r000000000ff", 1)

    assert shown["text"].startswith(":warning: Tavus says:")


# -- rename ----------------------------------------------------------------------------------


async def test_the_owner_renames_and_the_card_follows(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    replica_id = await trained_from_slack(running, sandbox)

    refused = await answer(running, f"replica rename {replica_id} Mine now", 1, user_id=STRANGER)
    assert "Only <@U123>" in refused["text"]
    assert sandbox.state.replicas[replica_id]["replica_name"] == "Rio"

    done = await answer(running, f"replica rename {replica_id} Rio <2>", 2)
    assert done["text"].startswith(":pencil2: Renamed replica")
    assert sandbox.state.replicas[replica_id]["replica_name"] == "Rio <2>"
    await running.slack.wait_for(
        "chat.update", predicate=lambda c: "Rio &lt;2&gt;" in json.dumps(c.args.get("blocks"))
    )


# -- delete ----------------------------------------------------------------------------------


async def test_a_hard_delete_says_what_it_destroys_and_what_it_keeps(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    replica_id = await trained_from_slack(running, sandbox)

    confirm = await answer(running, f"replica delete {replica_id} --hard", 1)

    assert confirm["text"].startswith(f"Permanently delete replica `{replica_id}`?")
    assert "training footage" in confirm["text"]
    assert "conversations that used it are kept" in confirm["text"]
    assert "cannot be undone" in confirm["text"]
    (button,) = buttons(confirm)
    assert "training footage" in button["confirm"]["text"]["text"]
    assert replica_id in sandbox.state.replicas  # asked, not yet deleted

    await running.interact(
        block_action_payload(
            DELETE_ACTION, value=button["value"], response_url=running.slack.response_url
        )
    )
    done = (await running.slack.wait_for_response(count=2))[1]
    assert done["text"].startswith(":wastebasket: Permanently deleted replica")
    assert replica_id not in sandbox.state.replicas
    # The card stops saying "training".
    await running.slack.wait_for(
        "chat.update", predicate=lambda c: "*Deleted*" in json.dumps(c.args.get("blocks"))
    )
    resource = await running.app.services.store.get_resource(kind="replica", tavus_id=replica_id)
    assert resource is not None and (resource.status, resource.finished) == ("deleted", True)


async def test_only_the_owner_or_an_admin_may_delete(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    replica_id = await trained_from_slack(running, sandbox)

    refused = await answer(running, f"replica delete {replica_id}", 1, user_id=STRANGER)
    assert "Only <@U123>" in refused["text"]

    confirm = await answer(running, f"replica delete {replica_id}", 2, user_id=ADMIN_ID)
    (button,) = buttons(confirm)
    assert "It can no longer be used in conversations." in confirm["text"]
    assert "footage" not in confirm["text"]  # a soft delete keeps it
    await running.interact(
        block_action_payload(
            DELETE_ACTION,
            value=button["value"],
            user_id=STRANGER,
            response_url=running.slack.response_url,
        )
    )
    refused_click = (await running.slack.wait_for_response(count=3))[2]
    assert "Only <@U123>" in refused_click["text"]
    assert replica_id in sandbox.state.replicas


async def test_a_stock_replica_cannot_be_deleted(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world

    refused = await answer(running, f"replica delete {SEED_REPLICA_ID}", 1)
    assert "Only an admin" in refused["text"]

    confirm = await answer(running, f"replica delete {SEED_REPLICA_ID}", 2, user_id=ADMIN_ID)
    (button,) = buttons(confirm)
    await running.interact(
        block_action_payload(
            DELETE_ACTION,
            value=button["value"],
            user_id=ADMIN_ID,
            response_url=running.slack.response_url,
        )
    )
    said = (await running.slack.wait_for_response(count=3))[2]
    assert "System replicas cannot be deleted" in said["text"]
    assert SEED_REPLICA_ID in sandbox.state.replicas


# -- voices ----------------------------------------------------------------------------------


async def test_voices_lists_the_stock_voices(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    listed = await answer(running, "voices", 1)

    assert "*Tavus stock voices* (1–3 of 3)" in listed["text"]
    shown = json.dumps(listed["blocks"], ensure_ascii=False)
    assert "`anna` · female, english · <https://cdn.sandbox.tavus.io/voices/anna.mp3|listen>" in (
        shown
    )
    assert "/tavus replica train" in shown
    running.slack.assert_nothing_rejected()


async def test_voices_search_and_more(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    for n in range(11):
        name = f"ann<!channel>{n:02d}"
        sandbox.state.voices[name] = {"voice_name": name, "replica_id": None, "tags": []}

    first = await answer(running, "voices ann", 1)

    assert "matching “ann”" in first["text"] and "(1–10 of 12)" in first["text"]
    assert "<!channel>" not in json.dumps(first["blocks"])
    (more,) = buttons(first)
    assert more["action_id"] == VOICES_MORE_ACTION
    await running.interact(
        block_action_payload(
            VOICES_MORE_ACTION, value=more["value"], response_url=running.slack.response_url
        )
    )
    second = (await running.slack.wait_for_response(count=2))[1]
    assert "(11–12 of 12)" in second["text"]
    assert buttons(second) == []
    running.slack.assert_nothing_rejected()


async def test_a_search_nothing_matches(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    listed = await answer(running, 'voices "zz top"', 1)

    assert listed["text"] == "No stock voices matching “zz top”."


async def test_a_forged_voices_more_value_does_nothing(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world

    await running.interact(
        block_action_payload(
            VOICES_MORE_ACTION, value="../x", response_url=running.slack.response_url
        )
    )

    listed = await answer(running, "voices", 1)  # the forged click, had it answered, was first
    assert listed["text"].startswith("*Tavus stock voices*")
    assert len(running.slack.responses) == 1


async def test_a_search_too_long_to_carry_is_refused_in_words(
    world: tuple[Harness, Sandbox],
) -> None:
    running, _ = world

    listed = await answer(running, "voices " + "a" * 101, 1)

    assert listed["text"] == "Search for part of a voice's name, under 100 characters."
