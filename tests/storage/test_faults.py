"""The store under storage faults: the database locked by another process past the busy
timeout, its files read-only, no room to grow. Each: the writes fail (callers can answer
503), one log line says why, nothing is corrupted, and writing resumes once the fault clears,
with no restart."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Store, is_storage_fault
from tests.storage.faults import (
    fill_up,
    integrity,
    locked_by_another_process,
    make_room,
    read_only,
)

BUSY_MS = 100  # a short busy timeout, so that the lock outlasts it at once
BIG = {"padding": "x" * 64_000}  # an event that needs new pages


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(db_path, busy_timeout_ms=BUSY_MS) as opened:
        yield opened


async def conversation(store: Store) -> int:
    resource = await store.create_resource(
        kind="conversation", tavus_id="c1", team_id="T1", owner_user_id="U1", channel_id="C1"
    )
    return resource.id


async def record(store: Store, resource_id: int, key: str, payload: object = None) -> object:
    return await store.record_event(
        resource_id=resource_id,
        dedup_key=key,
        event_type="system.replica_joined",
        payload=payload if isinstance(payload, dict) else {"key": key},
    )


async def event_keys(store: Store, resource_id: int) -> list[str]:
    return [event.dedup_key for event in await store.list_events(resource_id=resource_id)]


def fault_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "storage.store" and "cannot take writes" in r.getMessage()
    ]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info]


async def test_a_lock_held_past_the_busy_timeout(
    store: Store, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    resource_id = await conversation(store)

    async with locked_by_another_process(db_path):
        results = await asyncio.gather(
            *(record(store, resource_id, f"k{i}") for i in range(5)), return_exceptions=True
        )
        again = await asyncio.gather(record(store, resource_id, "k5"), return_exceptions=True)
        assert not await store.recheck_writable()  # tried without waiting: still locked

        assert all(isinstance(r, sqlite3.OperationalError) for r in results + again), results
        assert all(is_storage_fault(r) for r in results + again)  # type: ignore[arg-type]
        assert not store.writable
        assert store.write_problem is not None
        assert "locked by another process" in store.write_problem
        assert f"busy timeout ({BUSY_MS / 1000:g} s)" in store.write_problem
        assert store.failed_writes == 6  # every write counted, the checks not
        assert await event_keys(store, resource_id) == []  # reads go on meanwhile

    assert len(fault_lines(caplog)) == 1
    assert tracebacks(caplog) == []
    await record(store, resource_id, "after")
    assert store.writable and store.write_problem is None
    assert "takes writes again" in caplog.text
    assert await event_keys(store, resource_id) == ["after"]
    assert integrity(db_path) == ["ok"]


async def test_recheck_sees_a_cleared_lock_with_nothing_else_writing(
    store: Store, db_path: Path
) -> None:
    resource_id = await conversation(store)
    async with locked_by_another_process(db_path):
        with pytest.raises(sqlite3.OperationalError):
            await record(store, resource_id, "k")
    assert not store.writable

    assert await store.recheck_writable()

    assert store.writable
    assert await store.get_preferences(team_id="", scope="user", scope_id="") == {}


async def test_files_made_read_only(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with await Store.open(db_path) as before:
        resource_id = await conversation(before)
        await record(before, resource_id, "before")

    with read_only(db_path):
        store = await Store.open(db_path)  # a restart finds the database read-only
        try:
            for key in ("k1", "k2", "k3"):
                with pytest.raises(sqlite3.OperationalError, match="readonly"):
                    await record(store, resource_id, key)
            assert not await store.recheck_writable()
            assert store.write_problem is not None and "read-only" in store.write_problem
            assert await event_keys(store, resource_id) == ["before"]  # reads go on
            assert len(fault_lines(caplog)) == 1
            assert tracebacks(caplog) == []
        except BaseException:
            await store.close()
            raise

    try:
        await record(store, resource_id, "after")  # the same store, not reopened by hand
        assert store.writable
        assert await event_keys(store, resource_id) == ["before", "after"]
    finally:
        await store.close()
    assert integrity(db_path) == ["ok"]


async def test_no_room_to_grow(
    store: Store, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    resource_id = await conversation(store)
    await fill_up(store)

    for key in ("big1", "big2"):
        with pytest.raises(sqlite3.OperationalError, match="full"):
            await record(store, resource_id, key, BIG)
    await store.update_resource(resource_id=resource_id, status="live")  # fits in place

    assert not store.writable  # a write in place proves nothing about room
    assert not await store.recheck_writable()
    assert store.write_problem is not None and "full" in store.write_problem
    assert len(fault_lines(caplog)) == 1
    assert tracebacks(caplog) == []

    await make_room(store)
    assert await store.recheck_writable()
    await record(store, resource_id, "big3", BIG)
    assert await event_keys(store, resource_id) == ["big3"]
    assert integrity(db_path) == ["ok"]


async def test_a_write_that_fits_is_not_failed_by_one_that_does_not(store: Store) -> None:
    """A full disk fails a batch's writes one by one, not all together: a small one may fit."""
    resource_id = await conversation(store)
    await record(store, resource_id, "room", BIG)
    await store.delete_resource(resource_id=resource_id)  # its pages go to the free list
    resource_id = await conversation(store)
    await fill_up(store)

    big, small = await asyncio.gather(
        record(store, resource_id, "big", {"padding": "x" * 400_000}),
        record(store, resource_id, "small"),
        return_exceptions=True,
    )

    assert isinstance(big, sqlite3.OperationalError) and is_storage_fault(big)
    assert not isinstance(small, BaseException)
    assert await event_keys(store, resource_id) == ["small"]


def test_a_jobs_own_mistake_is_not_a_storage_fault(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "x.db")
    connection.execute("CREATE TABLE t (x NOT NULL)")
    mistakes = []
    for sql in ("SELECT * FROM missing", "INSERT INTO t VALUES (NULL)"):
        with pytest.raises(sqlite3.DatabaseError) as caught:
            connection.execute(sql)
        mistakes.append(caught.value)
    connection.close()

    assert [is_storage_fault(m) for m in mistakes] == [False, False]
