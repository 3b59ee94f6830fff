"""Storage faults made for real: another process holding the write lock, database files made
read-only, a database with no room to grow. Shared by the store-level and app-level tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite
import pytest

from storage import Store

# Takes the write lock (waiting out any write in flight), says so, holds it until told.
_LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
db.close()
"""


@contextlib.asynccontextmanager
async def locked_by_another_process(path: Path) -> AsyncIterator[None]:
    """Another process holds the database's write lock until the block ends."""
    locker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _LOCKER,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert locker.stdin is not None and locker.stdout is not None
    try:
        assert await locker.stdout.readline() == b"locked\n"
        yield
    finally:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            locker.stdin.write(b"\n")
            await locker.stdin.drain()
        if await locker.wait() != 0:
            raise AssertionError("the process holding the lock failed")


def _files(path: Path) -> list[Path]:
    """The database and whichever of its WAL files exist."""
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The database's files cannot be written until the block ends.

    As root, permissions stop nothing: the file is made immutable instead (chattr +i, which
    root itself cannot write past). A connection already open keeps writing either way: the
    fault shows to connections opened during the block, as after a restart.
    """
    if os.geteuid() != 0:
        files = _files(path)
        for file in files:
            file.chmod(0o444)
        try:
            yield
        finally:
            for file in _files(path):  # and the WAL files opened read-only meanwhile
                file.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode:
        pytest.skip("running as root without chattr +i: no way to make a file read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


async def fill_up(store: Store) -> None:
    """The database may not grow past its current size (SQLite's max_page_count, on the
    store's own writing connection): a write that needs a new page fails as on a full disk."""

    async def cap(db: aiosqlite.Connection) -> None:
        await db.execute_fetchall("PRAGMA max_page_count = 1")  # clamped to the current size

    await store.write(cap)


async def make_room(store: Store) -> None:
    async def uncap(db: aiosqlite.Connection) -> None:
        await db.execute_fetchall("PRAGMA max_page_count = 1073741823")

    await store.write(uncap)


def integrity(path: Path) -> list[str]:
    """PRAGMA integrity_check, from a connection of its own: ["ok"] for a sound database."""
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
