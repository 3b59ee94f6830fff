from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from storage import SCHEMA_VERSION, Event, OutboxDraft, OutboxItem, Resource, Store, StoreError

INJECTION = "x'); DROP TABLE resources; -- \" OR 1=1 ;"


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nested" / "store.db"


@pytest.fixture
async def store(db_path: Path, clock: Clock) -> AsyncIterator[Store]:
    async with await Store.open(db_path, clock=clock) as opened:
        yield opened


async def make_conversation(
    store: Store,
    tavus_id: str = "c123",
    *,
    owner_user_id: str = "U1",
    channel_id: str | None = "C1",
    **fields: Any,
) -> Resource:
    return await store.create_resource(
        kind="conversation",
        tavus_id=tavus_id,
        team_id="T1",
        owner_user_id=owner_user_id,
        channel_id=channel_id,
        **fields,
    )


async def claim(store: Store, *, limit: int = 20) -> list[OutboxItem]:
    """What a deliverer would take now, returned as the rows were before the lease."""
    claimed = await store.claim_outbox(owner="t", lease_seconds=60, limit=limit)
    return [replace(i, lease_owner=None, lease_until=None) for i in claimed.items]


def raw_query(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# -- opening, pragmas, migrations -----------------------------------------------------------


async def test_open_creates_parent_dirs_and_turns_on_wal(store: Store, db_path: Path) -> None:
    assert await asyncio.to_thread(db_path.exists)
    assert raw_query(db_path, "PRAGMA journal_mode") == [("wal",)]


async def test_migrations_set_user_version_and_are_idempotent(db_path: Path) -> None:
    for _ in range(2):
        async with await Store.open(db_path) as store:
            assert await store.schema_version() == SCHEMA_VERSION
    assert raw_query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    tables = raw_query(db_path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
    assert tables == [
        ("events",),
        ("home_tabs",),
        ("outbox",),
        ("preferences",),
        ("resources",),
        ("seen_requests",),
    ]


async def test_newer_schema_is_refused(db_path: Path) -> None:
    async with await Store.open(db_path):
        pass
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer"):
        await Store.open(db_path)


async def test_data_survives_close_and_reopen(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        created = await make_conversation(store, details={"conversation_url": "https://x"})
    async with await Store.open(db_path) as store:
        assert await store.get_resource_by_id(resource_id=created.id) == created


async def test_ping_and_check_writable(db_path: Path) -> None:
    store = await Store.open(db_path)
    assert await store.ping() is True
    await store.check_writable()
    assert await store.get_preferences(team_id="", scope="user", scope_id="") == {}
    await store.close()
    assert await store.ping() is False


async def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await store.record_event(resource_id=999, dedup_key="k", event_type="e", payload={})


# -- resources ------------------------------------------------------------------------------


async def test_create_and_get(store: Store, clock: Clock) -> None:
    created = await make_conversation(
        store, message_ts="1.2", status="active", name="Demo", callback_token="tok"
    )
    assert created == Resource(
        id=created.id,
        kind="conversation",
        tavus_id="c123",
        team_id="T1",
        owner_user_id="U1",
        channel_id="C1",
        message_ts="1.2",
        callback_token="tok",
        status="active",
        name="Demo",
        details={},
        finished=False,
        created_at=clock.now,
        updated_at=clock.now,
    )
    assert await store.get_resource(kind="conversation", tavus_id="c123") == created
    assert await store.get_resource(kind="video", tavus_id="c123") is None
    assert await store.get_resource_by_token(token="tok") == created
    assert await store.get_resource_by_token(token="other") is None
    assert await store.get_resource_by_id(resource_id=created.id + 1) is None


async def test_create_twice_updates_given_fields_but_never_the_owner(
    store: Store, clock: Clock
) -> None:
    first = await make_conversation(store, status="active", details={"a": 1})
    clock.now += 5
    second = await make_conversation(
        store, owner_user_id="U2", message_ts="9.9", details={"b": 2}, channel_id=None
    )
    assert second.id == first.id
    assert (second.owner_user_id, second.message_ts, second.channel_id) == ("U1", "9.9", "C1")
    assert second.team_id == first.team_id
    assert second.status == "active"
    assert second.details == {"a": 1, "b": 2}
    assert (second.created_at, second.updated_at) == (first.created_at, clock.now)


async def test_create_rejects_an_empty_kind(store: Store) -> None:
    with pytest.raises(ValueError, match="kind"):
        await store.create_resource(kind="", tavus_id="x", team_id="T", owner_user_id="U")


async def test_duplicate_callback_token_is_refused(store: Store) -> None:
    await make_conversation(store, "c1", callback_token="same")
    with pytest.raises(sqlite3.IntegrityError):
        await make_conversation(store, "c2", callback_token="same")


async def test_update_changes_only_given_fields_and_merges_details(
    store: Store, clock: Clock
) -> None:
    created = await make_conversation(store, status="active", name="n", details={"a": 1, "b": 1})
    clock.now += 1
    updated = await store.update_resource(
        resource_id=created.id, status="ended", name=None, details={"b": 2}, finished=True
    )
    assert updated is not None
    assert (updated.status, updated.name, updated.finished) == ("ended", None, True)
    assert updated.details == {"a": 1, "b": 2}
    assert (updated.channel_id, updated.message_ts) == ("C1", None)
    assert updated.updated_at == clock.now
    assert await store.get_resource_by_id(resource_id=created.id) == updated


async def test_update_with_nothing_and_update_missing(store: Store) -> None:
    created = await make_conversation(store)
    assert await store.update_resource(resource_id=created.id) == created
    assert await store.update_resource(resource_id=created.id + 1, status="x") is None


async def test_list_resources_filters_newest_first(store: Store, clock: Clock) -> None:
    older = await make_conversation(store, "c1")
    clock.now += 1
    newer = await make_conversation(store, "c2", owner_user_id="U2")
    clock.now += 1
    video = await store.create_resource(
        kind="video", tavus_id="v1", team_id="T2", owner_user_id="U1"
    )
    await store.update_resource(resource_id=older.id, finished=True)
    assert [r.id for r in await store.list_resources()] == [video.id, newer.id, older.id]
    assert [r.id for r in await store.list_resources(kind="conversation")] == [newer.id, older.id]
    assert [r.id for r in await store.list_resources(owner_user_id="U1")] == [video.id, older.id]
    assert [r.id for r in await store.list_resources(team_id="T2")] == [video.id]
    assert [r.id for r in await store.list_resources(finished=True)] == [older.id]
    assert [r.id for r in await store.list_resources(finished=False, limit=1)] == [video.id]


async def test_list_unfinished(store: Store) -> None:
    done = await make_conversation(store, "c1")
    live = await make_conversation(store, "c2")
    video = await store.create_resource(kind="video", tavus_id="v1", team_id="T", owner_user_id="U")
    await store.update_resource(resource_id=done.id, finished=True)
    assert [r.id for r in await store.list_unfinished()] == [live.id, video.id]
    assert [r.id for r in await store.list_unfinished(kinds=["video"])] == [video.id]
    assert await store.list_unfinished(kinds=[]) == []


async def test_what_changed_since_and_running_counts(store: Store, clock: Clock) -> None:
    assert await store.last_change_at() == 0.0
    await store.create_resource(kind="video", tavus_id="a1", team_id="T1", owner_user_id="U1")
    first = clock.now
    clock.now += 10
    await store.create_resource(kind="video", tavus_id="a2", team_id="T1", owner_user_id="U2")
    await store.create_resource(kind="replica", tavus_id="r1", team_id="T2", owner_user_id="U3")
    done = await store.create_resource(
        kind="video", tavus_id="a3", team_id="T1", owner_user_id="U2"
    )
    await store.update_resource(resource_id=done.id, finished=True)

    assert await store.last_change_at() == clock.now
    assert await store.owners_changed_since(since=first + 1) == {
        ("T1", "U2"): clock.now,
        ("T2", "U3"): clock.now,
    }
    assert set(await store.owners_changed_since(since=first)) == {
        ("T1", "U1"),
        ("T1", "U2"),
        ("T2", "U3"),
    }
    assert await store.count_unfinished(team_id="T1") == {"video": 2}
    assert await store.count_unfinished(team_id="T9") == {}


async def test_delete_resource_cascades(store: Store) -> None:
    resource = await make_conversation(store)
    await store.record_event(
        resource_id=resource.id,
        dedup_key="k",
        event_type="e",
        payload={},
        outbox=[OutboxDraft("reply")],
    )
    await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("refresh_parent")])
    assert await store.delete_resource(resource_id=resource.id) is True
    assert await store.delete_resource(resource_id=resource.id) is False
    assert await store.get_resource_by_id(resource_id=resource.id) is None
    assert await store.list_events(resource_id=resource.id) == []
    assert await store.pending_outbox_count() == 0


# -- events and the outbox ------------------------------------------------------------------


async def test_record_event_writes_event_outbox_and_status(store: Store, clock: Clock) -> None:
    resource = await make_conversation(store, status="active")
    event = await store.record_event(
        resource_id=resource.id,
        dedup_key="ended:1",
        event_type="system.shutdown",
        payload={"reason": "done"},
        outbox=[OutboxDraft("reply", {"text": "ended"}), OutboxDraft("refresh_parent")],
        status="ended",
        finished=True,
    )
    assert event is not None
    assert (event.dedup_key, event.payload, event.received_at) == (
        "ended:1",
        {"reason": "done"},
        clock.now,
    )
    assert await store.list_events(resource_id=resource.id) == [event]
    assert await store.has_event(resource_id=resource.id, dedup_key="ended:1")
    items = []
    while due := await claim(store):  # one resource: its rows come one at a time
        items.extend(due)
        await store.complete_outbox(outbox_id=due[0].id)
    assert [(i.action, i.payload, i.event_id) for i in items] == [
        ("reply", {"text": "ended"}, event.id),
        ("refresh_parent", {}, event.id),
    ]
    assert all(i.next_attempt_at == clock.now and i.attempts == 0 for i in items)
    updated = await store.get_resource_by_id(resource_id=resource.id)
    assert updated is not None
    assert (updated.status, updated.finished) == ("ended", True)


async def test_record_event_twice_writes_nothing_the_second_time(store: Store) -> None:
    resource = await make_conversation(store, status="active")

    async def deliver(status: str | None) -> Event | None:
        return await store.record_event(
            resource_id=resource.id,
            dedup_key="k",
            event_type="e",
            payload={},
            outbox=[OutboxDraft("reply")],
            status=status,
        )

    first = await deliver(None)
    second = await deliver("x")
    assert first is not None
    assert second is None
    assert await store.pending_outbox_count() == 1
    assert len(await store.list_events(resource_id=resource.id)) == 1
    unchanged = await store.get_resource_by_id(resource_id=resource.id)
    assert unchanged is not None and unchanged.status == "active"
    assert not await store.has_event(resource_id=resource.id, dedup_key="other")


@pytest.mark.parametrize(
    "bad_draft",
    [OutboxDraft("reply", {"not json": object()}), OutboxDraft("", {})],
    ids=["unencodable-payload", "empty-action"],
)
async def test_record_event_is_atomic(store: Store, bad_draft: OutboxDraft) -> None:
    resource = await make_conversation(store, status="active")
    with pytest.raises((TypeError, sqlite3.IntegrityError)):
        await store.record_event(
            resource_id=resource.id,
            dedup_key="k",
            event_type="e",
            payload={},
            outbox=[OutboxDraft("reply"), bad_draft],
            status="ended",
        )
    assert await store.list_events(resource_id=resource.id) == []
    assert await store.pending_outbox_count() == 0
    unchanged = await store.get_resource_by_id(resource_id=resource.id)
    assert unchanged == resource
    assert await store.record_event(
        resource_id=resource.id, dedup_key="k", event_type="e", payload={}
    )


async def test_concurrent_redeliveries_record_once(store: Store) -> None:
    resource = await make_conversation(store)

    async def deliver(key: str) -> bool:
        event = await store.record_event(
            resource_id=resource.id,
            dedup_key=key,
            event_type="e",
            payload={},
            outbox=[OutboxDraft("reply"), OutboxDraft("refresh_parent")],
        )
        return event is not None

    results = await asyncio.gather(*(deliver(f"k{i % 5}") for i in range(50)))
    assert sum(results) == 5
    assert await store.pending_outbox_count() == 10


async def test_enqueue_without_event(store: Store, clock: Clock) -> None:
    items = await store.enqueue(resource_id=None, drafts=[OutboxDraft("upload", {"f": 1})])
    assert [(i.resource_id, i.event_id, i.action, i.payload) for i in items] == [
        (None, None, "upload", {"f": 1})
    ]
    assert await store.get_outbox(outbox_id=items[0].id) == items[0]
    assert await store.enqueue(resource_id=None, drafts=[]) == []


async def test_claims_come_in_order_and_retries_wait(store: Store, clock: Clock) -> None:
    resources = [await make_conversation(store, f"c{i}") for i in range(3)]
    first, second, third = [
        (await store.enqueue(resource_id=r.id, drafts=[OutboxDraft("reply")]))[0] for r in resources
    ]
    assert await store.next_outbox_due_at() == clock.now
    assert await claim(store, limit=2) == [first, second]
    assert await claim(store) == [third]
    assert await claim(store) == []  # all leased

    await store.retry_outbox(
        outbox_id=first.id, error="ratelimited", next_attempt_at=clock.now + 30
    )
    retried = await store.get_outbox(outbox_id=first.id)
    assert retried is not None
    assert (retried.attempts, retried.last_error, retried.next_attempt_at) == (
        1,
        "ratelimited",
        clock.now + 30,
    )
    assert retried.lease_owner is None
    assert await claim(store) == []

    clock.now += 1
    await store.complete_outbox(outbox_id=second.id, result={"ts": "1.5"})
    await store.complete_outbox(outbox_id=third.id)
    assert await store.pending_outbox_count() == 1
    assert await store.next_outbox_due_at() == clock.now - 1 + 30
    done = await store.get_outbox(outbox_id=second.id)
    assert done is not None
    assert (done.done_at, done.result, done.lease_owner) == (clock.now, {"ts": "1.5"}, None)

    clock.now += 30
    assert await claim(store) == [retried]
    await store.complete_outbox(outbox_id=first.id)
    assert await store.next_outbox_due_at() is None
    assert await store.pending_outbox_count() == 0
    assert await store.get_outbox(outbox_id=999) is None


async def test_transient_retries_do_not_use_up_attempts(store: Store, clock: Clock) -> None:
    resource = await make_conversation(store)
    (item,) = await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("reply")])
    for _ in range(3):
        await store.retry_outbox(
            outbox_id=item.id, error="429", next_attempt_at=clock.now, transient=True
        )
    row = await store.get_outbox(outbox_id=item.id)
    assert row is not None
    assert (row.attempts, row.transient_failures) == (0, 3)


async def test_a_resources_rows_wait_behind_its_oldest_undone_row(
    store: Store, clock: Clock
) -> None:
    resource = await make_conversation(store)
    drafts = [OutboxDraft(f"a{i}") for i in range(3)]
    first, second, third = await store.enqueue(resource_id=resource.id, drafts=drafts)
    assert [i.id for i in await claim(store)] == [first.id]

    await store.retry_outbox(outbox_id=first.id, error="timeout", next_attempt_at=clock.now + 30)
    assert await claim(store) == []
    assert await store.next_outbox_due_at() == clock.now + 30

    await store.complete_outbox(outbox_id=first.id)
    assert [i.id for i in await claim(store)] == [second.id]
    await store.complete_outbox(outbox_id=second.id)
    assert [i.id for i in await claim(store)] == [third.id]


async def test_a_lease_keeps_other_owners_out_until_it_runs_out(store: Store, clock: Clock) -> None:
    resource = await make_conversation(store)
    (item,) = await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("reply")])
    mine = await store.claim_outbox(owner="a", lease_seconds=60, limit=10)
    assert [i.id for i in mine.items] == [item.id]
    assert mine.resources == {resource.id: resource}
    assert not mine.items[0].unsure
    assert (await store.claim_outbox(owner="b", lease_seconds=60, limit=10)).items == []

    clock.now += 61  # "a" died holding it: "b" takes over, unsure whether it was posted
    taken = await store.claim_outbox(owner="b", lease_seconds=60, limit=10)
    assert [(i.id, i.lease_owner, i.unsure) for i in taken.items] == [(item.id, "b", True)]


async def test_a_dead_owners_lease_is_taken_at_once(store: Store) -> None:
    resource = await make_conversation(store)
    await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("reply")])
    await store.claim_outbox(owner="dead", lease_seconds=600, limit=10)
    assert await store.lease_owners() == {"dead"}
    taken = await store.claim_outbox(owner="b", lease_seconds=60, limit=10, dead_owners={"dead"})
    assert [(i.lease_owner, i.unsure) for i in taken.items] == [("b", True)]


async def test_claims_skip_channels_and_a_release_clears_unsure(store: Store, clock: Clock) -> None:
    busy = await make_conversation(store, "c1", channel_id="CBUSY")
    idle = await make_conversation(store, "c2", channel_id="CIDLE")
    await store.enqueue(resource_id=busy.id, drafts=[OutboxDraft("reply")])
    (other,) = await store.enqueue(resource_id=idle.id, drafts=[OutboxDraft("reply")])
    claimed = await store.claim_outbox(
        owner="a", lease_seconds=60, limit=10, skip_channels={"CBUSY"}
    )
    assert [i.id for i in claimed.items] == [other.id]
    assert await store.next_outbox_due_at(skip_channels={"CBUSY", "CIDLE"}) is None
    await store.retry_outbox(outbox_id=other.id, error="x", next_attempt_at=clock.now)
    again = await store.claim_outbox(owner="a", lease_seconds=60, limit=10)
    assert {(i.resource_id, i.unsure) for i in again.items} == {(busy.id, False), (idle.id, False)}


async def test_outbox_backlog(store: Store, clock: Clock) -> None:
    assert await store.outbox_backlog() == {"pending": 0, "oldest_due_seconds": None}
    resource = await make_conversation(store)
    await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("reply")])
    clock.now += 7
    assert await store.outbox_backlog() == {"pending": 1, "oldest_due_seconds": 7}


# -- preferences ----------------------------------------------------------------------------


async def test_preferences_set_get_delete(store: Store) -> None:
    where = {"team_id": "T1", "scope": "user", "scope_id": "U1"}
    assert await store.get_preference(**where, key="persona") is None
    await store.set_preference(**where, key="persona", value="p1")
    await store.set_preference(**where, key="replica", value="r1")
    await store.set_preference(**where, key="persona", value="p2")
    await store.set_preference(
        team_id="T1", scope="channel", scope_id="U1", key="persona", value="c"
    )
    assert await store.get_preference(**where, key="persona") == "p2"
    assert await store.get_preferences(**where) == {"persona": "p2", "replica": "r1"}
    await store.set_preference(**where, key="persona", value=None)
    await store.set_preference(**where, key="missing", value=None)
    assert await store.get_preferences(**where) == {"replica": "r1"}
    assert await store.get_preference(team_id="T1", scope="channel", scope_id="U1", key="persona")


async def test_preferences_reject_unknown_scope(store: Store) -> None:
    with pytest.raises(ValueError, match="scope"):
        await store.set_preference(team_id="T", scope="team", scope_id="T", key="k", value="v")


# -- hostile strings ------------------------------------------------------------------------


async def test_injection_strings_are_stored_verbatim(store: Store) -> None:
    created = await make_conversation(
        store,
        INJECTION,
        name=INJECTION,
        owner_user_id=INJECTION,
        callback_token=INJECTION,
        details={INJECTION: INJECTION},
    )
    assert await store.get_resource(kind="conversation", tavus_id=INJECTION) == created
    assert await store.get_resource_by_token(token=INJECTION) == created
    assert await store.list_resources(owner_user_id=INJECTION) == [created]
    assert (created.name, created.details) == (INJECTION, {INJECTION: INJECTION})
    await store.record_event(
        resource_id=created.id, dedup_key=INJECTION, event_type=INJECTION, payload={}
    )
    assert await store.has_event(resource_id=created.id, dedup_key=INJECTION)
    await store.set_preference(
        team_id=INJECTION, scope="user", scope_id=INJECTION, key=INJECTION, value=INJECTION
    )
    assert await store.get_preferences(team_id=INJECTION, scope="user", scope_id=INJECTION) == {
        INJECTION: INJECTION
    }
    assert len(await store.list_resources()) == 1


async def test_a_mergeable_row_repeating_the_queue_tail_is_not_added(store: Store) -> None:
    resource = await make_conversation(store)
    refresh = OutboxDraft("refresh_parent", merge=True)

    async def event(key: str, *drafts: OutboxDraft) -> None:
        await store.record_event(
            resource_id=resource.id, dedup_key=key, event_type=key, payload={}, outbox=drafts
        )

    for n in range(5):  # five progress steps while the first refresh waits
        await event(f"p{n}", refresh)
    assert await store.pending_outbox_count() == 1

    await event("ready", OutboxDraft("reply", {"text": "ready"}), refresh)
    assert await store.pending_outbox_count() == 3  # refresh, reply, refresh
    for expected in ("refresh_parent", "reply"):
        (done,) = await claim(store)
        assert done.action == expected
        await store.complete_outbox(outbox_id=done.id)
    assert [i.action for i in await claim(store)] == ["refresh_parent"]  # being delivered
    # A refresh being delivered is not merged into: the next one may show a newer state.
    await event("p9", refresh)
    assert await store.pending_outbox_count() == 2


async def test_a_row_leased_by_another_is_due_when_its_lease_ends(
    store: Store, clock: Clock
) -> None:
    resource = await make_conversation(store)
    await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("reply")])
    await store.claim_outbox(owner="other", lease_seconds=180, limit=10)

    # A deliverer waiting for it sleeps until then instead of asking again at once.
    assert await store.next_outbox_due_at() == clock.now + 180


async def test_a_lease_is_renewed_only_by_its_owner(store: Store, clock: Clock) -> None:
    resource = await make_conversation(store)
    (item,) = await store.enqueue(resource_id=resource.id, drafts=[OutboxDraft("reply")])
    await store.claim_outbox(owner="a", lease_seconds=10, limit=10)

    assert await store.renew_lease(outbox_id=item.id, owner="a", lease_seconds=60)
    assert not await store.renew_lease(outbox_id=item.id, owner="b", lease_seconds=60)
    leased = await store.get_outbox(outbox_id=item.id)
    assert leased is not None and leased.lease_until == clock.now + 60


async def test_non_finite_numbers_in_details_are_dropped(store: Store) -> None:
    resource = await make_conversation(store)
    await store.record_event(
        resource_id=resource.id,
        dedup_key="k",
        event_type="e",
        payload={"timestamp": float("nan")},
        details={"ended_at": float("inf"), "nested": {"x": float("nan")}},
    )
    stored = await store.get_resource_by_id(resource_id=resource.id)
    # As null in a JSON merge patch: the keys are not set (details.get() gives None).
    assert stored is not None and stored.details == {"nested": {}}
