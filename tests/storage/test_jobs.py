"""Starting a job: the token before the create call, the card held until Tavus answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import CARD_ACTION, OutboxDraft, Resource, Store
from tests.fakes.clock import Clock


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "t.db", clock=clock) as opened:
        yield opened


async def begin(store: Store, token: str = "tok") -> Resource:
    resource, card = await store.begin_job(
        kind="video", team_id="T", owner_user_id="U", channel_id="C1", callback_token=token
    )
    assert (card.action, card.held) == (CARD_ACTION, True)
    return resource


async def claimed_actions(store: Store) -> list[str]:
    claimed = await store.claim_outbox(owner="t", lease_seconds=60, limit=10)
    for item in claimed.items:
        await store.complete_outbox(outbox_id=item.id)
    return [item.action for item in claimed.items]


async def test_a_pending_job_is_found_by_token_but_its_card_waits(store: Store) -> None:
    resource = await begin(store)
    assert resource.is_pending and resource.status == "starting"
    assert await store.get_resource_by_token(token="tok") == resource
    # An early callback queues a reply behind the held card.
    await store.record_event(
        resource_id=resource.id,
        dedup_key="early",
        event_type="e",
        payload={},
        outbox=[OutboxDraft("reply", {"text": "early"})],
    )
    assert await claimed_actions(store) == []
    assert await store.list_resources() == []  # nothing half-made is listed


async def test_confirming_releases_the_card_before_what_queued_behind_it(
    store: Store, clock: Clock
) -> None:
    resource = await begin(store)
    await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("reply")])
    clock.advance(5)
    confirmed = await store.confirm_job(
        resource_id=resource.id, tavus_id="v1", status="queued", name="Demo", details={"a": 1}
    )
    assert confirmed is not None
    assert (confirmed.tavus_id, confirmed.status, confirmed.name, confirmed.details) == (
        "v1",
        "queued",
        "Demo",
        {"a": 1},
    )
    assert await claimed_actions(store) == [CARD_ACTION]
    assert await claimed_actions(store) == ["reply"]


async def test_a_refused_create_leaves_nothing(store: Store) -> None:
    resource = await begin(store)
    await store.abandon_job(resource_id=resource.id)
    assert await store.get_resource_by_token(token="tok") is None
    assert await store.pending_outbox_count() == 0


async def test_a_callback_can_name_the_id_once(store: Store) -> None:
    resource = await begin(store)
    adopted = await store.adopt_tavus_id(resource_id=resource.id, tavus_id="v1")
    assert adopted is not None and adopted.tavus_id == "v1"
    assert await claimed_actions(store) == [CARD_ACTION]
    assert await store.adopt_tavus_id(resource_id=resource.id, tavus_id="v2") is None
    unchanged = await store.get_resource_by_id(resource_id=resource.id)
    assert unchanged is not None and unchanged.tavus_id == "v1"
    # The create call's late answer names the same id: nothing changes but the state.
    confirmed = await store.confirm_job(resource_id=resource.id, tavus_id="v1", status="ready")
    assert confirmed is not None and (confirmed.tavus_id, confirmed.status) == ("v1", "ready")


async def test_the_create_answer_names_the_job_over_an_earlier_callback(store: Store) -> None:
    """A callback that beat the create call's answer may name any id (it proves only that
    its sender knew the token); Tavus's answer says what was created."""
    resource = await begin(store)
    await store.adopt_tavus_id(resource_id=resource.id, tavus_id="fa11fa11fa11")

    confirmed = await store.confirm_job(resource_id=resource.id, tavus_id="v1", status="queued")

    assert confirmed is not None and confirmed.tavus_id == "v1"
    assert await store.get_resource(kind="video", tavus_id="fa11fa11fa11") is None


async def test_a_confirmed_job_is_never_abandoned(store: Store) -> None:
    resource = await begin(store)
    await store.confirm_job(resource_id=resource.id, tavus_id="v1", status="queued")
    await store.abandon_job(resource_id=resource.id)
    assert await store.get_resource(kind="video", tavus_id="v1") is not None


async def test_an_id_another_resource_holds_is_not_adopted(store: Store) -> None:
    await store.create_resource(kind="video", tavus_id="v1", team_id="T", owner_user_id="U")
    resource = await begin(store)

    assert await store.adopt_tavus_id(resource_id=resource.id, tavus_id="v1") is None

    still = await store.get_resource_by_id(resource_id=resource.id)
    assert still is not None and still.is_pending
    assert await claimed_actions(store) == []  # the card stays held


async def test_a_late_create_answer_does_not_undo_what_callbacks_said(store: Store) -> None:
    from bot.domain.conversations import LIFECYCLE

    resource = await begin(store)
    await store.adopt_tavus_id(resource_id=resource.id, tavus_id="v1")
    await store.record_event(
        resource_id=resource.id,
        dedup_key="end",
        event_type="e",
        payload={},
        status="ended",
        finished=True,
    )

    confirmed = await store.confirm_job(
        resource_id=resource.id,
        tavus_id="v1",
        status="waiting",
        details={"url": "u"},
        status_not_after=LIFECYCLE.not_after("waiting"),
    )

    assert confirmed is not None
    assert (confirmed.status, confirmed.finished, confirmed.details) == (
        "ended",
        True,
        {"url": "u"},
    )
