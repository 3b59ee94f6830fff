"""ingest: stores what a kind's interpreter says, where it says, once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import kinds
from bot.events.base import Interpretation, ThreadOf, reply
from bot.ingest import ingest
from bot.notifier import Notifier
from storage import Resource, Store
from tests.fakes.clock import Clock


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "t.db", clock=clock)
    yield opened
    await opened.close()


@pytest.fixture
def notifier(store: Store) -> Notifier:
    client = AsyncWebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/")
    return Notifier(store=store, slack=client, render_card=kinds.render_card)


def objective_event(resource: Resource, body: Mapping[str, Any]) -> Interpretation:
    return Interpretation(
        dedup_key=f"done:{body['objective_name']}",
        event_type="objective.completed",
        drafts=(reply("objective done"),),
        thread_of=ThreadOf("conversation", str(body["conversation_id"])),
    )


@pytest.fixture
def objective_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind whose events belong in another resource's thread (objectives, guardrails)."""
    row = replace(kinds.CONVERSATION, interpret=objective_event, id_key="objective_id")
    monkeypatch.setitem(kinds.KINDS, "objective", row)


async def make(store: Store, kind: str, tavus_id: str) -> Resource:
    return await store.create_resource(
        kind=kind, tavus_id=tavus_id, team_id="T", owner_user_id="U", channel_id="C1"
    )


@pytest.mark.usefixtures("objective_kind")
async def test_an_event_can_post_in_another_resources_thread(
    store: Store, notifier: Notifier
) -> None:
    conversation = await make(store, "conversation", "c123456")
    objective = await make(store, "objective", "o12345")
    body = {"objective_name": "collect_email", "conversation_id": "c123456"}

    assert await ingest(store=store, notifier=notifier, resource=objective, body=body)

    claimed = await store.claim_outbox(owner="t", lease_seconds=60, limit=10)
    assert [(i.resource_id, i.payload["text"]) for i in claimed.items] == [
        (conversation.id, "objective done")
    ]
    # The event is the conversation's: its dedup key there guards a redelivery.
    assert not await ingest(store=store, notifier=notifier, resource=objective, body=body)
    assert [e.event_type for e in await store.list_events(resource_id=conversation.id)] == [
        "objective.completed"
    ]
    assert await store.list_events(resource_id=objective.id) == []


@pytest.mark.usefixtures("objective_kind")
async def test_an_unknown_target_thread_falls_back_to_the_resources_own(
    store: Store, notifier: Notifier
) -> None:
    objective = await make(store, "objective", "o12345")
    body = {"objective_name": "x", "conversation_id": "c999999"}

    await ingest(store=store, notifier=notifier, resource=objective, body=body)

    claimed = await store.claim_outbox(owner="t", lease_seconds=60, limit=10)
    assert [i.resource_id for i in claimed.items] == [objective.id]


async def test_an_interpreter_bug_keeps_the_event(
    store: Store, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(resource: Resource, body: Mapping[str, Any]) -> Interpretation:
        raise KeyError("bug")

    monkeypatch.setitem(kinds.KINDS, "conversation", replace(kinds.CONVERSATION, interpret=broken))
    conversation = await make(store, "conversation", "c123456")

    assert await ingest(store=store, notifier=notifier, resource=conversation, body={"a": 1})

    (event,) = await store.list_events(resource_id=conversation.id)
    assert (event.event_type, event.payload) == ("unreadable", {"a": 1})
    assert await store.pending_outbox_count() == 0


async def test_a_late_joined_cannot_bring_an_ended_call_back(
    store: Store, notifier: Notifier
) -> None:
    conversation = await make(store, "conversation", "c123456")
    shutdown = {"event_type": "system.shutdown", "properties": {"shutdown_reason": "x"}}
    joined = {"event_type": "system.replica_joined", "properties": {}}

    await ingest(store=store, notifier=notifier, resource=conversation, body=shutdown)
    await ingest(store=store, notifier=notifier, resource=conversation, body=joined)

    after = await store.get_resource_by_id(resource_id=conversation.id)
    assert after is not None and after.status == "ended"


@pytest.mark.parametrize("first_at_the_set", [True, False])
@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": "c123456", "objective_name": "collect_email", "output_variables": {}},
        {"conversation_id": "c123456", "properties": {"guardrail": "no_pricing"}},
    ],
)
async def test_one_event_sent_to_the_sets_url_and_the_calls_url_posts_once(
    store: Store, notifier: Notifier, body: dict[str, object], first_at_the_set: bool
) -> None:
    """Tavus may report a completion or a trigger at the set's URL, the call's, or both."""
    conversation = await make(store, "conversation", "c123456")
    kind = "objective" if "objective_name" in body else "guardrail"
    the_set = await make(store, kind, "o12345" if kind == "objective" else "g12345")
    first, second = (the_set, conversation) if first_at_the_set else (conversation, the_set)

    assert await ingest(store=store, notifier=notifier, resource=first, body=body)
    assert not await ingest(store=store, notifier=notifier, resource=second, body=body)

    claimed = await store.claim_outbox(owner="t", lease_seconds=60, limit=10)
    assert [item.resource_id for item in claimed.items] == [conversation.id]
