"""Transactions that end however they end, group commit, and the v1 -> v2 migration."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage import MIGRATIONS, SCHEMA_VERSION, OutboxDraft, Store, StoreError
from tests.fakes.clock import Clock


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "t.db", clock=clock) as opened:
        yield opened


async def conversation_id(store: Store, tavus_id: str = "c1") -> int:
    resource = await store.create_resource(
        kind="conversation", tavus_id=tavus_id, team_id="T", owner_user_id="U", channel_id="C1"
    )
    return resource.id


async def in_transaction(store: Store) -> bool:
    """Asked on the connection's own thread, after everything queued before it ran."""
    row = await store._read_one("SELECT 1")  # drains the queue of the connection's thread
    assert row is not None
    return bool(store._db.in_transaction)


async def test_a_cancelled_caller_leaves_no_transaction_open(store: Store) -> None:
    inside, release = asyncio.Event(), asyncio.Event()

    async def slow_write(db: aiosqlite.Connection) -> None:
        await db.execute_fetchall(
            "INSERT INTO preferences (team_id, scope, scope_id, key, value)"
            " VALUES ('T', 'user', 'U', 'slow', 'v')"
        )
        inside.set()
        await release.wait()

    caller = asyncio.create_task(store.write(slow_write))
    await inside.wait()
    caller.cancel()  # the caller goes away while its transaction is open
    with pytest.raises(asyncio.CancelledError):
        await caller
    release.set()

    resource_id = await conversation_id(store)  # the next write goes through
    assert await store.get_resource_by_id(resource_id=resource_id) is not None
    assert not await in_transaction(store)
    # The write that had begun was committed with its batch, as a database would.
    assert await store.get_preference(team_id="T", scope="user", scope_id="U", key="slow") == "v"


async def test_a_writer_cancelled_mid_transaction_rolls_back_and_writing_goes_on(
    store: Store,
) -> None:
    inside = asyncio.Event()

    async def stuck_write(db: aiosqlite.Connection) -> None:
        await db.execute_fetchall(
            "INSERT INTO preferences (team_id, scope, scope_id, key, value)"
            " VALUES ('T', 'user', 'U', 'stuck', 'v')"
        )
        inside.set()
        await asyncio.Event().wait()  # never returns

    caller = asyncio.create_task(store.write(stuck_write))
    await inside.wait()
    writer = store._writer
    assert writer is not None
    writer.cancel()  # the writer task itself dies mid-transaction
    with pytest.raises(StoreError, match="closed before this write committed"):
        await caller

    resource_id = await conversation_id(store)
    assert await store.get_resource_by_id(resource_id=resource_id) is not None
    assert not await in_transaction(store)
    assert await store.get_preference(team_id="T", scope="user", scope_id="U", key="stuck") is None


async def test_a_failed_commit_rolls_back_and_writing_goes_on(store: Store) -> None:
    async def breaks_at_commit(db: aiosqlite.Connection) -> None:
        # A deferred foreign-key violation passes the INSERT and fails the COMMIT, which
        # leaves SQLite inside the transaction unless someone rolls it back.
        await db.execute_fetchall("PRAGMA defer_foreign_keys = ON")
        await db.execute_fetchall(
            "INSERT INTO outbox (resource_id, action, next_attempt_at, created_at)"
            " VALUES (999, 'reply', 0, 0)"
        )

    with pytest.raises(sqlite3.IntegrityError):
        await store.write(breaks_at_commit)

    assert not await in_transaction(store)
    resource_id = await conversation_id(store)
    await store.enqueue(resource_id=resource_id, drafts=[OutboxDraft("reply")])
    assert await store.pending_outbox_count() == 1


async def test_concurrent_writes_share_commits(store: Store) -> None:
    resource_id = await conversation_id(store)
    before = store.commits

    events = await asyncio.gather(
        *(
            store.record_event(
                resource_id=resource_id,
                dedup_key=f"k{i}",
                event_type="e",
                payload={"i": i},
                outbox=[OutboxDraft("reply", {"text": str(i)})],
            )
            for i in range(50)
        )
    )

    assert all(event is not None for event in events)
    assert await store.pending_outbox_count() == 50
    assert store.commits - before < 50


async def test_one_failing_write_in_a_batch_fails_alone(store: Store) -> None:
    resource_id = await conversation_id(store)

    async def deliver(i: int) -> object:
        target = 999 if i == 3 else resource_id  # no resource 999: a foreign-key failure
        return await store.record_event(
            resource_id=target, dedup_key=f"k{i}", event_type="e", payload={}
        )

    results = await asyncio.gather(*(deliver(i) for i in range(8)), return_exceptions=True)

    assert [isinstance(r, sqlite3.IntegrityError) for r in results] == [i == 3 for i in range(8)]
    assert len(await store.list_events(resource_id=resource_id)) == 7


async def test_writes_after_close_are_refused(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "t.db")
    await conversation_id(store)
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await conversation_id(store, "c2")


async def test_status_transitions_are_decided_in_the_transaction(store: Store) -> None:
    resource_id = await conversation_id(store)
    ended = await store.record_event(
        resource_id=resource_id, dedup_key="end", event_type="e", payload={}, status="ended"
    )
    late_join = await store.record_event(
        resource_id=resource_id,
        dedup_key="join",
        event_type="e",
        payload={},
        status="live",
        status_not_after={"ended", "deleted"},
        details={"joined": True},
    )
    assert ended is not None and late_join is not None
    resource = await store.get_resource_by_id(resource_id=resource_id)
    assert resource is not None
    assert (resource.status, resource.details) == ("ended", {"joined": True})


async def test_a_replayed_request_is_seen_once(store: Store, clock: Clock) -> None:
    assert await store.first_sighting(key="trigger:1", keep_seconds=60)
    assert not await store.first_sighting(key="trigger:1", keep_seconds=60)
    assert await store.first_sighting(key="trigger:2", keep_seconds=60)
    clock.advance(61)
    assert await store.first_sighting(key="trigger:1", keep_seconds=60)


async def test_a_v1_database_migrates_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:
        for sql in MIGRATIONS[0]:
            raw.execute(sql)
        raw.execute("PRAGMA user_version = 1")
        raw.execute(
            "INSERT INTO resources (kind, tavus_id, team_id, owner_user_id, channel_id,"
            " callback_token, status, details, finished, created_at, updated_at)"
            " VALUES ('conversation', 'c1', 'T', 'U', 'C1', 'tok', 'live', '{}', 0, 1, 1)"
        )
        raw.execute(
            "INSERT INTO events (resource_id, dedup_key, event_type, received_at)"
            " VALUES (1, 'k', 'e', 1)"
        )
        raw.execute(
            "INSERT INTO outbox (resource_id, event_id, action, next_attempt_at, created_at)"
            " VALUES (1, 1, 'reply', 1, 1)"
        )
    raw.close()

    async with await Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        resource = await store.get_resource_by_token(token="tok")
        assert resource is not None and resource.status == "live"
        assert len(await store.list_events(resource_id=resource.id)) == 1
        assert await store.pending_outbox_count() == 1
        # A kind the v1 CHECK did not list is accepted now; cascades still work.
        await store.create_resource(kind="lipsync", tavus_id="l1", team_id="T", owner_user_id="U")
        assert await store.delete_resource(resource_id=resource.id)
        assert await store.pending_outbox_count() == 0
