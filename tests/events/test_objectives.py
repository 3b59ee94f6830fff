"""The objective interpreter: a completion goes to its call's thread, once per call."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import kinds
from bot.events import MalformedEvent, ThreadOf
from bot.events.conversations import interpret_conversation
from bot.events.objectives import interpret_objective, objective_finished
from bot.ingest import ingest, interpret
from bot.notifier import Notifier
from storage import OutboxDraft, Resource, Store
from tests.blocks.hostile import TEXTS
from tests.fakes.blockkit import assert_valid_message
from tests.fakes.clock import Clock

OBJECTIVES_ID = "o4f2a9c1"
CONVERSATION_ID = "c123abc456"


def objectives(tavus_id: str | None = OBJECTIVES_ID) -> Resource:
    return Resource(
        id=7,
        kind="objective",
        tavus_id=tavus_id,
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id="C0123",
        message_ts=None,
        callback_token="token",
        status="active",
        name=None,
        details={"objective_names": ["collect_email"]},
        finished=True,
        created_at=0.0,
        updated_at=0.0,
    )


def completion(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conversation_id": CONVERSATION_ID,
        "objective_name": "collect_email",
        "output_variables": {"email": "jordan@example.com", "first_name": "Jordan"},
    }
    return {**body, **fields}


def the_reply(drafts: tuple[OutboxDraft, ...]) -> OutboxDraft:
    (draft,) = drafts
    assert draft.action == "reply"
    return draft


def test_a_completion_goes_to_the_calls_thread_with_its_variables_as_fields() -> None:
    found = interpret(objectives(), completion())

    assert found.event_type == "objective.completed"
    assert found.thread_of == ThreadOf("conversation", CONVERSATION_ID)
    payload = the_reply(found.drafts).payload
    assert payload["text"].startswith(":dart: Objective *collect_email* completed.")
    (fields,) = [b["fields"] for b in payload["blocks"] if "fields" in b]
    assert [f["text"] for f in fields] == ["*email*\njordan@example.com", "*first_name*\nJordan"]
    assert_valid_message(payload["text"], payload["blocks"])


def test_an_objective_completes_once_per_call() -> None:
    first = interpret_objective(objectives(), completion())
    again = interpret_objective(objectives(), completion(timestamp="2025-01-01T00:00:00Z"))
    other_call = interpret_objective(objectives(), completion(conversation_id="c999aaa"))
    other_objective = interpret_objective(objectives(), completion(objective_name="schedule"))

    assert first.dedup_key == again.dedup_key
    assert len({first.dedup_key, other_call.dedup_key, other_objective.dedup_key}) == 3


def test_a_body_naming_only_the_call_passes_the_identity_check() -> None:
    # Completions name the conversation, never the set: the set's token must take them.
    found = interpret(objectives(), completion())
    assert found.drafts

    with pytest.raises(MalformedEvent):
        interpret(objectives(), completion(objectives_id="o9999999"))
    assert interpret(objectives(), completion(objectives_id=OBJECTIVES_ID)).drafts


def test_a_set_whose_create_never_answered_still_takes_completions() -> None:
    found = interpret(objectives(tavus_id=None), completion())

    assert found.thread_of == ThreadOf("conversation", CONVERSATION_ID)


@pytest.mark.parametrize("conversation_id", [None, 42, "", "not a call id", "c" * 300])
def test_a_completion_without_a_call_stays_in_the_sets_place(conversation_id: object) -> None:
    body = completion(conversation_id=conversation_id)
    found = interpret_objective(objectives(), body)

    assert found.thread_of is None
    assert found.dedup_key == interpret_objective(objectives(), {**body, "timestamp": 1}).dedup_key
    other = interpret_objective(objectives(), {**body, "output_variables": {"email": "b@c.d"}})
    assert other.dedup_key != found.dedup_key
    # Told which set it came from: it does not land in a call's thread.
    assert OBJECTIVES_ID in json.dumps(the_reply(found.drafts).payload["blocks"])


@pytest.mark.parametrize(
    "body",
    [{}, {"conversation_id": CONVERSATION_ID}, {"event_type": "system.shutdown"}, {"data": [1]}],
)
def test_a_body_that_is_not_a_completion_is_stored_unposted(body: dict[str, Any]) -> None:
    found = interpret_objective(objectives(), body)

    assert (found.event_type, found.drafts, found.thread_of) == ("objective.unknown", (), None)


@pytest.mark.parametrize("value", TEXTS)
def test_hostile_names_and_variables_are_escaped_and_fit(value: object) -> None:
    variables = {str(value)[:5000]: value, **{f"v{i}": value for i in range(15)}}
    body = completion(objective_name=value, output_variables=variables)

    payload = the_reply(interpret_objective(objectives(), body).drafts).payload

    assert_valid_message(payload["text"], payload["blocks"])
    sent = json.dumps(payload)
    assert "<!channel>" not in sent and "<https://evil" not in sent


@pytest.mark.parametrize("variables", [None, "text", ["a", "b"], 42, {}])
def test_variables_that_are_not_an_object_are_no_fields(variables: object) -> None:
    payload = the_reply(
        interpret_objective(objectives(), completion(output_variables=variables)).drafts
    ).payload

    assert not [b for b in payload["blocks"] if "fields" in b]
    assert payload["text"].startswith(":dart: Objective *collect_email* completed.")


def test_values_that_are_not_text_are_shown_as_json() -> None:
    body = completion(output_variables={"count": 3, "ok": True, "none": None, "list": [1, "a"]})

    text = the_reply(interpret_objective(objectives(), body).drafts).payload["text"]

    assert "*count:* 3" in text and "*ok:* true" in text and '*list:* [1, "a"]' in text


def test_the_conversation_relays_a_completion_the_same_way() -> None:
    conversation = Resource(**{**objectives().__dict__, "kind": "conversation"})
    body = completion()

    at_the_call = the_reply(interpret_conversation(conversation, body).drafts).payload
    at_the_set = the_reply(interpret_objective(objectives(), body).drafts).payload

    assert at_the_call["text"] == at_the_set["text"]
    assert [b for b in at_the_call["blocks"] if "fields" in b] == [
        b for b in at_the_set["blocks"] if "fields" in b
    ]


def test_a_set_is_never_polled() -> None:
    assert kinds.KINDS["objective"].poll is None
    assert objective_finished(objectives(), frozenset(), None, 0.0)


# -- through ingest, with a real store ---------------------------------------------------------


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "t.db", clock=clock)
    yield opened
    await opened.close()


@pytest.fixture
def notifier(store: Store) -> Notifier:
    client = AsyncWebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/")
    return Notifier(store=store, slack=client, render_card=kinds.render_card)


async def test_ingest_posts_in_the_calls_thread_once(store: Store, notifier: Notifier) -> None:
    call = await store.create_resource(
        kind="conversation",
        tavus_id=CONVERSATION_ID,
        team_id="T",
        owner_user_id="U",
        channel_id="C1",
    )
    owned = await store.create_resource(
        kind="objective", tavus_id=OBJECTIVES_ID, team_id="T", owner_user_id="U", channel_id="C2"
    )

    assert await ingest(store=store, notifier=notifier, resource=owned, body=completion())
    assert not await ingest(store=store, notifier=notifier, resource=owned, body=completion())

    claimed = await store.claim_outbox(owner="t", lease_seconds=60, limit=10)
    assert [item.resource_id for item in claimed.items] == [call.id]


async def test_ingest_posts_where_the_set_was_made_when_the_call_is_not_ours(
    store: Store, notifier: Notifier
) -> None:
    owned = await store.create_resource(
        kind="objective", tavus_id=OBJECTIVES_ID, team_id="T", owner_user_id="U", channel_id="C2"
    )

    assert await ingest(store=store, notifier=notifier, resource=owned, body=completion())

    claimed = await store.claim_outbox(owner="t", lease_seconds=60, limit=10)
    assert [item.resource_id for item in claimed.items] == [owned.id]
