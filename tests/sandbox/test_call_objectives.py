"""During a call: the persona's objectives complete and a guardrail triggers, called back."""

from __future__ import annotations

from typing import Any

from bot.sandbox.guardrails import guardrail_uuid
from bot.sandbox.objectives import sample_value
from tests.sandbox.conftest import (
    Receiver,
    Sandbox,
    StartSandbox,
    create_guardrails,
    create_objectives,
)

# Long enough that every objective due at 0.05 s steps has been sent before it comes.
LATE = 0.3


def _objectives(url: str) -> list[dict[str, Any]]:
    return [
        {
            "objective_name": "get_name",
            "objective_prompt": "Ask for their name",
            "output_variables": ["first_name", "email"],
            "next_required_objective": "book_slot",
            "callback_url": url,
        },
        {"objective_name": "book_slot", "objective_prompt": "Book", "callback_url": url},
        {
            "objective_name": "greet",
            "objective_prompt": "Greet them",
            "next_required_objective": "get_name",
            "callback_url": url,
        },
    ]


def _guardrail(name: str, url: str | None) -> dict[str, Any]:
    guardrail = {"guardrail_name": name, "guardrail_prompt": "Stay on topic"}
    return {**guardrail, "callback_url": url} if url else guardrail


async def _call(sandbox: Sandbox, **persona: Any) -> str:
    body = {"persona_name": "Intake", "system_prompt": "Book visits.", **persona}
    created = await sandbox.client.post("/v2/personas", json=body)
    assert created.status_code == 200, created.text
    persona_id = created.json()["persona_id"]
    started = await sandbox.client.post(
        "/v2/conversations", json={"persona_id": persona_id, "replica_id": "r79e1c033f"}
    )
    assert started.status_code == 200, started.text
    conversation_id: str = started.json()["conversation_id"]
    return conversation_id


def _names(payloads: list[dict[str, Any]]) -> list[str]:
    return [p.get("objective_name") or p["properties"]["guardrail"] for p in payloads]


async def test_objectives_complete_in_order_with_their_output_variables(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    objectives_id = await create_objectives(sandbox, *_objectives(receiver.url))
    conversation_id = await _call(sandbox, objectives_id=objectives_id)

    greet, get_name, book_slot = await receiver.wait_for(3)

    assert _names([greet, get_name, book_slot]) == ["greet", "get_name", "book_slot"]
    assert get_name == {
        "conversation_id": conversation_id,
        "objective_name": "get_name",
        "output_variables": {
            "first_name": sample_value("first_name"),
            "email": sample_value("email"),
        },
    }
    assert greet["output_variables"] == {}


async def test_a_guardrail_triggers_with_its_name_and_uuid(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    guardrails_id = await create_guardrails(sandbox, _guardrail("stay_on_topic", receiver.url))
    conversation_id = await _call(sandbox, guardrails_id=guardrails_id)

    [triggered] = await receiver.wait_for(1)

    assert triggered == {
        "conversation_id": conversation_id,
        "properties": {
            "guardrail": "stay_on_topic",
            "guardrail_uuid": guardrail_uuid(guardrails_id, "stay_on_topic"),
        },
    }


async def test_guardrail_trigger_names_which_one_fires_across_newer_guardrail_ids(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(guardrail_trigger="no_pricing")
    first = await create_guardrails(sandbox, _guardrail("stay_on_topic", receiver.url))
    second = await create_guardrails(sandbox, _guardrail("no_pricing", receiver.url))
    await _call(sandbox, guardrails_id=first, guardrail_ids=[second])

    [triggered] = await receiver.wait_for(1)

    assert triggered["properties"]["guardrail"] == "no_pricing"
    assert triggered["properties"]["guardrail_uuid"] == guardrail_uuid(second, "no_pricing")


async def test_objective_delay_none_completes_none(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    # The guardrail comes well after the objectives would have: it closes the window.
    sandbox = await start_sandbox(objective_delay=None, guardrail_delay=LATE)
    objectives_id = await create_objectives(sandbox, *_objectives(receiver.url))
    guardrails_id = await create_guardrails(sandbox, _guardrail("marker", receiver.url))
    await _call(sandbox, objectives_id=objectives_id, guardrails_id=guardrails_id)

    payloads = await receiver.wait_for(1)

    assert _names(payloads) == ["marker"]


async def test_objectives_completed_stops_after_that_many(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(objectives_completed=1, guardrail_delay=LATE)
    objectives_id = await create_objectives(sandbox, *_objectives(receiver.url))
    guardrails_id = await create_guardrails(sandbox, _guardrail("marker", receiver.url))
    await _call(sandbox, objectives_id=objectives_id, guardrails_id=guardrails_id)

    payloads = await receiver.wait_for(2)

    assert _names(payloads) == ["greet", "marker"]


async def test_guardrail_delay_none_never_triggers(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(guardrail_delay=None, objective_delay=LATE)
    objectives_id = await create_objectives(
        sandbox, {"objective_name": "marker", "objective_prompt": "p", "callback_url": receiver.url}
    )
    guardrails_id = await create_guardrails(sandbox, _guardrail("stay_on_topic", receiver.url))
    await _call(sandbox, objectives_id=objectives_id, guardrails_id=guardrails_id)

    payloads = await receiver.wait_for(1)

    assert _names(payloads) == ["marker"]


async def test_objectives_wait_for_a_participant(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(participant_delay=None)
    objectives_id = await create_objectives(sandbox, *_objectives(receiver.url))
    conversation_id = await _call(sandbox, objectives_id=objectives_id)
    waiting = set(sandbox.state.conversations[conversation_id].timers)

    await sandbox.client.post(f"/_sandbox/conversations/{conversation_id}/participants/join")
    payloads = await receiver.wait_for(3)

    assert "objectives" not in waiting
    assert _names(payloads) == ["greet", "get_name", "book_slot"]


async def test_ending_the_call_stops_what_is_left(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(participant_delay=None, objective_delay=60, guardrail_delay=60)
    objectives_id = await create_objectives(sandbox, *_objectives(receiver.url))
    guardrails_id = await create_guardrails(sandbox, _guardrail("stay_on_topic", receiver.url))
    conversation_id = await _call(sandbox, objectives_id=objectives_id, guardrails_id=guardrails_id)
    conversation = sandbox.state.conversations[conversation_id]
    await sandbox.client.post(f"/_sandbox/conversations/{conversation_id}/participants/join")
    pending = {name: conversation.timers[name] for name in ("objectives", "guardrail")}

    await sandbox.client.post(f"/v2/conversations/{conversation_id}/end")

    assert conversation.timers == {}
    assert all(task.cancelling() or task.cancelled() for task in pending.values())


async def test_duplicate_callbacks_apply_to_objectives(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(duplicate_callbacks=True)
    objectives_id = await create_objectives(
        sandbox, {"objective_name": "only", "objective_prompt": "p", "callback_url": receiver.url}
    )
    await _call(sandbox, objectives_id=objectives_id)

    first, second = await receiver.wait_for(2)

    assert first == second and first["objective_name"] == "only"


async def test_without_callback_urls_or_with_deleted_sets_nothing_is_sent(
    start_sandbox: StartSandbox, receiver: Receiver
) -> None:
    sandbox = await start_sandbox(guardrail_delay=LATE)
    silent = await create_objectives(sandbox)  # no callback_url
    gone = await create_guardrails(sandbox, _guardrail("gone", receiver.url))
    marker = await create_guardrails(sandbox, _guardrail("marker", receiver.url))
    persona = {"objectives_id": silent, "guardrails_id": gone, "guardrail_ids": [marker]}
    await _call(sandbox, **persona)
    await sandbox.client.delete(f"/v2/guardrails/{gone}")

    payloads = await receiver.wait_for(1)

    assert _names(payloads) == ["marker"]
