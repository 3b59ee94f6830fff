"""The guardrail interpreter: a trigger is a warning in its call's thread, every time."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import kinds
from bot.events import MalformedEvent, ThreadOf
from bot.events.conversations import interpret_conversation
from bot.events.guardrails import guardrail_finished, interpret_guardrail
from bot.ingest import interpret
from storage import OutboxDraft, Resource
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_message

GUARDRAILS_ID = "g7c0ffee1"
CONVERSATION_ID = "c123abc456"
UUID = "0b6c2f3e-1d2a-5b7c-9e0f-123456789abc"


def guardrails(tavus_id: str | None = GUARDRAILS_ID) -> Resource:
    return Resource(
        id=9,
        kind="guardrail",
        tavus_id=tavus_id,
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id="C0123",
        message_ts=None,
        callback_token="token",
        status="active",
        name="Compliance",
        details={"guardrail_names": ["no_medical_advice"]},
        finished=True,
        created_at=0.0,
        updated_at=0.0,
    )


def trigger(**fields: Any) -> dict[str, Any]:
    properties = {"guardrail": "no_medical_advice", "guardrail_uuid": UUID}
    return {"conversation_id": CONVERSATION_ID, "properties": properties, **fields}


def the_reply(drafts: tuple[OutboxDraft, ...]) -> OutboxDraft:
    (draft,) = drafts
    assert draft.action == "reply"
    return draft


def test_a_trigger_is_a_warning_naming_the_guardrail_in_the_calls_thread() -> None:
    found = interpret(guardrails(), trigger())

    assert found.event_type == "guardrail.triggered"
    assert found.thread_of == ThreadOf("conversation", CONVERSATION_ID)
    payload = the_reply(found.drafts).payload
    assert payload["text"] == (
        ":warning: Guardrail *no_medical_advice* was triggered in this call."
    )
    assert_valid_message(payload["text"], payload["blocks"])


def test_a_body_naming_only_the_call_and_the_guardrail_passes_the_identity_check() -> None:
    assert interpret(guardrails(), trigger()).drafts
    with pytest.raises(MalformedEvent):
        interpret(guardrails(), trigger(guardrails_id="g999999"))


def test_a_redelivery_is_one_event_but_a_second_trigger_is_another() -> None:
    first = interpret_guardrail(guardrails(), trigger())
    redelivered = interpret_guardrail(
        guardrails(), trigger(webhook_url="https://x.example/cb", timestamp="2025-01-01")
    )
    again = interpret_guardrail(guardrails(), trigger(turn=7))
    other_call = interpret_guardrail(guardrails(), trigger(conversation_id="c999aaa"))

    assert first.dedup_key == redelivered.dedup_key
    assert len({first.dedup_key, again.dedup_key, other_call.dedup_key}) == 3


def test_a_flat_guardrail_name_is_read_too() -> None:
    body = {"conversation_id": CONVERSATION_ID, "guardrail_name": "no_pricing"}

    text = the_reply(interpret_guardrail(guardrails(), body).drafts).payload["text"]

    assert "*no_pricing*" in text


def test_a_trigger_naming_only_its_uuid_is_still_a_warning() -> None:
    body = {"conversation_id": CONVERSATION_ID, "properties": {"guardrail_uuid": UUID}}

    found = interpret_guardrail(guardrails(), body)

    assert the_reply(found.drafts).payload["text"] == (
        ":warning: A guardrail was triggered in this call."
    )


def test_a_trigger_without_a_call_stays_in_the_sets_place() -> None:
    found = interpret_guardrail(guardrails(), trigger(conversation_id=None))

    assert found.thread_of is None
    assert GUARDRAILS_ID in json.dumps(the_reply(found.drafts).payload["blocks"])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"conversation_id": CONVERSATION_ID},
        {"conversation_id": CONVERSATION_ID, "properties": "no_medical_advice"},
        {"conversation_id": CONVERSATION_ID, "properties": {"guardrail": "  "}},
        {"conversation_id": CONVERSATION_ID, "objective_name": "collect_email"},
    ],
)
def test_a_body_that_is_not_a_trigger_is_stored_unposted(body: dict[str, Any]) -> None:
    found = interpret_guardrail(guardrails(), body)

    assert (found.event_type, found.drafts) == ("guardrail.unknown", ())


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_names_are_escaped_and_fit(value: object) -> None:
    body = trigger(properties={"guardrail": value})

    found = interpret_guardrail(guardrails(), body)

    if found.drafts:
        payload = the_reply(found.drafts).payload
        assert_valid_message(payload["text"], payload["blocks"])
        sent = json.dumps(payload)
        assert "<!channel>" not in sent and "<https://evil" not in sent


def test_the_conversation_relays_a_trigger_the_same_way() -> None:
    conversation = Resource(**{**guardrails().__dict__, "kind": "conversation"})

    at_the_call = the_reply(interpret_conversation(conversation, trigger()).drafts).payload
    at_the_set = the_reply(interpret_guardrail(guardrails(), trigger()).drafts).payload

    assert at_the_call["text"] == at_the_set["text"]


def test_a_set_is_never_polled() -> None:
    assert kinds.KINDS["guardrail"].poll is None
    assert guardrail_finished(guardrails(), frozenset(), None, 0.0)
