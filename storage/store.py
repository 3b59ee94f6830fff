"""The one store: a single aiosqlite connection, verb-named keyword-only methods.

Writes are group-committed: every write is a job queued to one writer task, which runs all the
jobs waiting at that moment inside one ``BEGIN IMMEDIATE ... COMMIT`` and only then answers
their callers. A caller that gets an answer has its write on disk; concurrent callers share a
commit instead of queueing for one each. A job that fails rolls back its batch, and the batch is
re-run one job per transaction so that the failure stays its own.

Reads go through a second, read-only connection: in WAL mode they see every committed write
and never wait for a batch (or for another process holding the write lock). The writing
connection runs in autocommit mode under one ``asyncio.Lock``; whatever happens to a batch
(an error, a failed COMMIT, a cancelled task) it ends with COMMIT or ROLLBACK: the connection
is never left in a transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import math
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import aiosqlite

from storage.migrations import MIGRATIONS, SCHEMA_VERSION
from storage.models import PREFERENCE_SCOPES, Event, HomeTab, OutboxDraft, OutboxItem, Resource

logger = logging.getLogger(__name__)

T = TypeVar("T")
Params = Sequence[Any]
Db = aiosqlite.Connection
WriteJob = Callable[[Db], Awaitable[T]]

# How long a write waits for another process's write lock before it fails (Store.open reads
# this when it is called, so a test can shorten it).
BUSY_TIMEOUT_MS = 5_000
# Enough to share one commit among a burst of callbacks, small enough to answer them promptly.
MAX_BATCH = 64
_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL")
_READER_PRAGMAS = ("PRAGMA query_only = ON",)
PING_TIMEOUT_SECONDS = 2.0
# seen_requests is pruned at most this often, not on every request.
PRUNE_EVERY_SECONDS = 60.0
# Column names interpolated into UPDATE statements must come from this set.
_UPDATABLE = frozenset(
    {"channel_id", "message_ts", "callback_token", "status", "name", "details", "finished"}
)
CARD_ACTION = "post_parent"
STARTING = "starting"
UNCONFIRMED = "unconfirmed"

# An undone outbox row with no older undone row for the same resource: threads stay in order.
_HEAD_OF_QUEUE = (
    "o.done_at IS NULL AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.done_at IS NULL"
    " AND e.resource_id = o.resource_id AND e.id < o.id)"
)


class StoreError(Exception):
    """The database cannot be used as this version of the app expects."""


# SQLite's primary result codes that mean the database refused a write, whatever the write:
# what each means, for the log and /healthz.
_FAULTS = {
    sqlite3.SQLITE_BUSY: "locked by another process for longer than the busy timeout",
    sqlite3.SQLITE_LOCKED: "locked by another connection",
    sqlite3.SQLITE_READONLY: "read-only (file permissions, a read-only disk, or a moved file)",
    sqlite3.SQLITE_FULL: "full (no space left on the disk, or the database's size limit)",
    sqlite3.SQLITE_IOERR: "failing to read or write the disk (I/O error)",
    sqlite3.SQLITE_CANTOPEN: "unable to open its files",
    sqlite3.SQLITE_CORRUPT: "damaged",
    sqlite3.SQLITE_NOTADB: "not a database",
}
# Faults every job of a batch meets alike: re-running the jobs one by one would only repeat
# the failure (and, for a lock, the busy timeout) once per job. A full disk is not one of
# them: a smaller write may still fit.
_FAILS_EVERY_JOB = frozenset(_FAULTS) - {sqlite3.SQLITE_FULL}


def _fault_code(exc: BaseException) -> int | None:
    """SQLite's primary result code when ``exc`` is a storage fault (not a job's mistake)."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.IntegrityError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return sqlite3.SQLITE_IOERR  # raised without a code: assume the worst
    primary = int(code) & 0xFF
    return primary if primary in _FAULTS else None


def _describe(code: int, exc: BaseException, busy_timeout_ms: int) -> str:
    what = _FAULTS[code]
    if code == sqlite3.SQLITE_BUSY:
        what = f"{what} ({busy_timeout_ms / 1000:g} s)"
    return f"{what}; SQLite says: {exc}"


def is_storage_fault(exc: BaseException) -> bool:
    """The database could not take a write (locked, read-only, full...), as opposed to a
    job's own mistake such as a constraint. The store has logged it, once per fault."""
    return _fault_code(exc) is not None


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


@dataclass(frozen=True)
class Claimed:
    """Outbox rows leased to one deliverer, with the resources they belong to."""

    items: list[OutboxItem]
    resources: dict[int, Resource]


@dataclass
class _Queued:
    job: WriteJob[Any]
    future: asyncio.Future[Any]


def _dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True)


def _dumps_details(value: Mapping[str, Any]) -> str:
    """Strict JSON for what SQLite's json_patch reads: NaN and infinities become null."""
    return json.dumps(_finite(value), sort_keys=True, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _resource(row: sqlite3.Row) -> Resource:
    data = dict(row)
    data["details"] = _loads(data["details"])
    data["finished"] = bool(data["finished"])
    return Resource(**data)


def _event(row: sqlite3.Row) -> Event:
    data = dict(row)
    data["payload"] = _loads(data["payload"])
    return Event(**data)


def _outbox(row: sqlite3.Row) -> OutboxItem:
    data = dict(row)
    data["payload"] = _loads(data["payload"])
    data["result"] = _loads(data["result"])
    data["held"] = bool(data["held"])
    data["unsure"] = bool(data["unsure"])
    return OutboxItem(**data)


def _busy(milliseconds: int) -> str:
    return f"PRAGMA busy_timeout = {milliseconds:d}"


async def _connect(path: Path, pragmas: Sequence[str]) -> Db:
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        for pragma in pragmas:
            await _rows(db, pragma)
    except BaseException:
        await db.close()
        raise
    return db


async def _rows(db: Db, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    """One statement, one trip to the connection's thread."""
    return list(await db.execute_fetchall(sql, params))


async def _row(db: Db, sql: str, params: Params = ()) -> sqlite3.Row | None:
    found = await _rows(db, sql, params)
    return found[0] if found else None


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(sorted(values))


class Store:
    """Resources, their events, the Slack outbox and preferences, in one SQLite file."""

    def __init__(
        self,
        db: Db,
        reader: Db,
        *,
        clock: Callable[[], float] = time.time,
        path: Path | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self._db = db
        self._reader = reader
        self._clock = clock
        self._path = path  # to reopen the writing connection; None: it is never reopened
        self._busy_timeout_ms = busy_timeout_ms
        self._lock = asyncio.Lock()
        self._queue: deque[_Queued] = deque()
        self._queued = asyncio.Event()
        self._closing = False
        self._writer: asyncio.Task[None] | None = None
        self.commits = 0  # transactions committed: group commit makes this less than writes
        # When writes last succeeded and last failed (store clock): what /healthz reports.
        self.last_write_ok: float | None = None
        self.last_write_error: float | None = None
        # Why writes fail, while they do (None: they do not), and how many failed since.
        self.write_problem: str | None = None
        self.failed_writes = 0
        self._fault: int | None = None
        self._reopen = False
        self._reopened: asyncio.Event | None = None  # set while reopening: reads wait for it
        self._pruned_at = 0.0

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout_ms: int | None = None,
    ) -> Store:
        """Open (creating if needed) the database at ``path`` and apply pending migrations.

        ``busy_timeout_ms``: how long a write waits for another process's lock (default
        BUSY_TIMEOUT_MS)."""
        path = Path(path)
        busy = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        db = await _connect(path, (_busy(busy), *_PRAGMAS))
        try:
            store = cls(db, db, clock=clock, path=path, busy_timeout_ms=busy)
            await store._migrate()  # on the writing connection, before anyone reads
            store._reader = await _connect(path, (_busy(busy), *_READER_PRAGMAS))
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        """Finish the writes already queued, then close the connection."""
        self._closing = True
        self._queued.set()
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        if self._reader is not self._db:
            await self._reader.close()
        await self._db.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- plumbing -------------------------------------------------------------------------

    async def _read(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        if self._reader is self._db:  # only while migrating, before the reader opens
            async with self._lock:
                return await _rows(self._db, sql, params)
        while self._reopened is not None:
            await self._reopened.wait()
        return await _rows(self._reader, sql, params)

    async def _read_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        found = await self._read(sql, params)
        return found[0] if found else None

    async def write(self, job: WriteJob[T]) -> T:
        """Run ``job`` inside the next group commit; returns once it is committed.

        A caller cancelled before its batch starts writes nothing; one cancelled later still
        has its write committed, as with any database.
        """
        if self._closing:
            raise StoreError("the store is closed")
        if self._writer is None or self._writer.done():
            # Only close() stops the writer on purpose; anything else that ended it is survived.
            self._writer = asyncio.create_task(self._write_loop(), name="store-writer")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Queued(job, future))
        self._queued.set()
        return await future

    async def _write_sql(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async def job(db: Db) -> list[sqlite3.Row]:
            return await _rows(db, sql, params)

        return await self.write(job)

    async def _write_loop(self) -> None:
        try:
            while True:
                await self._queued.wait()
                self._queued.clear()
                while self._queue:
                    count = min(len(self._queue), MAX_BATCH)
                    batch = [self._queue.popleft() for _ in range(count)]
                    await self._commit([q for q in batch if not q.future.done()])
                if self._closing:
                    return
        finally:
            while self._queue:
                _fail(self._queue.popleft(), StoreError("the store is closed"))

    async def _commit(self, batch: list[_Queued]) -> None:
        if not batch:
            return
        try:
            async with self._lock:
                await self._reopen_if_needed()
                before = self._db.total_changes
                results = await self._run_in_transaction([q.job for q in batch])
                changed = self._db.total_changes != before
        except Exception as exc:
            if len(batch) == 1 or _fault_code(exc) in _FAILS_EVERY_JOB:
                self._note_failure(exc, writes=len(batch))
                for queued in batch:
                    _fail(queued, exc)
                return
            failed: Exception | None = exc
        except BaseException:
            # The writer itself is being cancelled: nobody may wait forever for an answer.
            for queued in batch:
                _fail(queued, StoreError("the store closed before this write committed"))
            raise
        else:
            failed = None
            self._note_success(changed=changed)
        if failed is not None:
            # One job failed the batch: give each its own transaction, so only it fails.
            for queued in batch:
                await self._commit([queued])
            return
        for queued, result in zip(batch, results, strict=True):
            if not queued.future.done():
                queued.future.set_result(result)

    def _note_failure(self, exc: BaseException, *, writes: int = 1) -> None:
        """Count writes the database refused; say why in one log line when a fault begins."""
        code = _fault_code(exc)
        if code is None:
            return
        self.last_write_error = self._clock()
        self.failed_writes += writes
        if code == sqlite3.SQLITE_READONLY:
            self._reopen = True
        if code != self._fault:
            self._fault = code
            self.write_problem = _describe(code, exc, self._busy_timeout_ms)
            logger.error(
                "the database cannot take writes: it is %s. Tavus callbacks are answered 503"
                " (Tavus sends them again) until it can",
                self.write_problem,
            )

    def _note_success(self, *, changed: bool, grew: bool = False) -> None:
        """A commit that changed rows proves that a lock or read-only fault is over; only a
        write that needed new pages (``grew``: check_writable's) proves that a full disk has
        room again, since rewriting a row in place needs none. A commit that changed
        nothing proves neither."""
        self.last_write_ok = self._clock()
        if self._fault is None or not changed:
            return
        if self._fault == sqlite3.SQLITE_FULL and not grew:
            return
        logger.warning(
            "the database takes writes again (%d failed while it was %s)",
            self.failed_writes,
            self.write_problem,
        )
        self._fault, self.write_problem, self.failed_writes = None, None, 0

    async def _reopen_if_needed(self) -> None:
        """Close both connections and open them again, after the database was read-only.

        A connection opened while the files were read-only stays read-only once they are
        fixed, and so does a new one while any connection of this process still has them
        open (they share the WAL index). Reads wait meanwhile; called holding the lock.
        """
        if not self._reopen or self._path is None or self._reader is self._db:
            return
        reopened = self._reopened = asyncio.Event()
        try:
            # Reads already queued on the old reader run before its close.
            await self._db.close()
            await self._reader.close()
            self._db = await _connect(self._path, (_busy(self._busy_timeout_ms), *_PRAGMAS))
            self._reader = await _connect(
                self._path, (_busy(self._busy_timeout_ms), *_READER_PRAGMAS)
            )
            self._reopen = False
        finally:
            self._reopened = None
            reopened.set()

    async def _run_in_transaction(self, jobs: Sequence[WriteJob[Any]]) -> list[Any]:
        """BEGIN, the jobs, COMMIT; on any failure (cancellation included) ROLLBACK."""
        try:
            await self._begin()
            results = [await job(self._db) for job in jobs]
            await _rows(self._db, "COMMIT")
            self.commits += 1
        except BaseException:
            await self._rollback()
            raise
        return results

    async def _begin(self) -> None:
        try:
            await _rows(self._db, "BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            if not self._db.in_transaction:
                raise
            logger.warning("found the database connection inside a transaction; rolled it back")
            await self._rollback()
            await _rows(self._db, "BEGIN IMMEDIATE")

    async def _rollback(self) -> None:
        """Always queued behind the statements before it; shielded so a cancel cannot skip it."""
        # No transaction may be open (BEGIN failed, or COMMIT ended it): that is fine too.
        with contextlib.suppress(sqlite3.OperationalError):
            await asyncio.shield(_rows(self._db, "ROLLBACK"))

    async def _migrate(self) -> None:
        found = await self.schema_version()
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"database schema version {found} is newer than this app ({SCHEMA_VERSION}); "
                "upgrade the app or point DATABASE_URL at another file"
            )
        if found == SCHEMA_VERSION:
            return
        # A table rebuild must not cascade deletes into the tables that refer to it.
        await _rows(self._db, "PRAGMA foreign_keys = OFF")
        try:
            for version, steps in enumerate(MIGRATIONS, start=1):
                if version > found:
                    await self._apply(version, steps)
        finally:
            await _rows(self._db, "PRAGMA foreign_keys = ON")

    async def _apply(self, version: int, steps: Sequence[str]) -> None:
        async def job(db: Db) -> None:
            for sql in steps:
                await _rows(db, sql)
            broken = await _rows(db, "PRAGMA foreign_key_check")
            if broken:
                raise StoreError(f"migration {version} broke {len(broken)} foreign key(s)")
            await _rows(db, f"PRAGMA user_version = {version:d}")

        async with self._lock:
            await self._run_in_transaction([job])

    # -- health ---------------------------------------------------------------------------

    async def schema_version(self) -> int:
        row = await self._read_one("PRAGMA user_version")
        return 0 if row is None else int(row[0])

    async def ping(self) -> bool:
        """True while the database answers ``SELECT 1`` (within a couple of seconds)."""
        try:
            row = await asyncio.wait_for(self._read_one("SELECT 1"), PING_TIMEOUT_SECONDS)
        except (sqlite3.Error, ValueError, TimeoutError):
            return False
        return row is not None and row[0] == 1

    @property
    def writable(self) -> bool:
        """False from a write the database refused (locked by another process, read-only,
        disk full: see ``write_problem``) until one gets through again."""
        return self._fault is None

    async def check_writable(self, *, wait: bool = True) -> None:
        """Take the write lock and write a row larger than a page (so that a full disk
        shows), then roll back; raises ``sqlite3.Error``. The outcome updates ``writable``.

        ``wait=False``: a lock held by another process fails at once, not after the busy
        timeout."""

        async def job(db: Db) -> None:
            await _rows(
                db,
                "INSERT OR REPLACE INTO preferences (team_id, scope, scope_id, key, value)"
                " VALUES ('', 'user', '', 'check_writable', zeroblob(2 * (SELECT page_size"
                " FROM pragma_page_size())))",
            )

        async with self._lock:
            try:
                await self._reopen_if_needed()
                await self._probe(job, wait=wait)
            except Exception as exc:
                self._note_failure(exc, writes=0)  # a check, not a write anyone lost
                raise
        self._note_success(changed=True, grew=True)

    async def _probe(self, job: WriteJob[None], *, wait: bool) -> None:
        if not wait:
            await _rows(self._db, _busy(0))
        try:
            await self._begin()
            try:
                await job(self._db)
            finally:
                await self._rollback()
        finally:
            if not wait:
                await _rows(self._db, _busy(self._busy_timeout_ms))

    async def recheck_writable(self) -> bool:
        """While writes fail, try one at once (nothing kept, no waiting on a lock), so that
        /healthz sees a fault clear even when nothing else writes. Returns ``writable``."""
        if self.writable or self._lock.locked():
            return self.writable  # a write in flight will tell
        with contextlib.suppress(sqlite3.Error):
            await self.check_writable(wait=False)
        return self.writable

    # -- resources ------------------------------------------------------------------------

    async def create_resource(
        self,
        *,
        kind: str,
        tavus_id: str,
        team_id: str,
        owner_user_id: str,
        channel_id: str | None = None,
        message_ts: str | None = None,
        status: str | None = None,
        name: str | None = None,
        details: Mapping[str, Any] | None = None,
        callback_token: str | None = None,
    ) -> Resource:
        """Insert a resource, or update the one stored under (kind, tavus_id).

        On update the team and owner never change (who started it stays its owner); the other
        fields change only when given (not None) and ``details`` is merged into the stored dict.
        """
        if not kind:
            raise ValueError("kind is required")
        given = {
            "channel_id": channel_id,
            "message_ts": message_ts,
            "status": status,
            "name": name,
            "callback_token": callback_token,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}

        async def job(db: Db) -> sqlite3.Row:
            existing = await _row(
                db, "SELECT id FROM resources WHERE kind = ? AND tavus_id = ?", (kind, tavus_id)
            )
            if existing is not None:
                updated = await self._update_row(db, existing["id"], changes, details)
                assert updated is not None
                return updated
            now = self._clock()
            inserted = await _row(
                db,
                "INSERT INTO resources (kind, tavus_id, team_id, owner_user_id, channel_id,"
                " message_ts, callback_token, status, name, details, finished, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING *",
                (
                    kind,
                    tavus_id,
                    team_id,
                    owner_user_id,
                    channel_id,
                    message_ts,
                    callback_token,
                    status,
                    name,
                    _dumps_details(details or {}),
                    now,
                    now,
                ),
            )
            assert inserted is not None
            return inserted

        return _resource(await self.write(job))

    async def _update_row(
        self,
        db: Db,
        resource_id: int,
        changes: Mapping[str, Any],
        details: Mapping[str, Any] | None = None,
    ) -> sqlite3.Row | None:
        """One UPDATE; ``details`` is merged in SQL (json_patch), not read and rewritten."""
        changes = dict(changes)
        if not changes.keys() <= _UPDATABLE:
            raise ValueError(f"not updatable: {sorted(changes.keys() - _UPDATABLE)}")
        if "finished" in changes:
            changes["finished"] = int(bool(changes["finished"]))
        assignments = "".join(f"{column} = ?, " for column in changes if column != "details")
        params: list[Any] = [v for k, v in changes.items() if k != "details"]
        if details:
            assignments += "details = json_patch(details, ?), "
            params.append(_dumps_details(details))
        return await _row(
            db,
            f"UPDATE resources SET {assignments}updated_at = ? WHERE id = ? RETURNING *",
            (*params, self._clock(), resource_id),
        )

    async def get_resource(self, *, kind: str, tavus_id: str) -> Resource | None:
        row = await self._read_one(
            "SELECT * FROM resources WHERE kind = ? AND tavus_id = ?", (kind, tavus_id)
        )
        return None if row is None else _resource(row)

    async def get_resource_by_id(self, *, resource_id: int) -> Resource | None:
        row = await self._read_one("SELECT * FROM resources WHERE id = ?", (resource_id,))
        return None if row is None else _resource(row)

    async def get_resources(self, *, resource_ids: Collection[int]) -> dict[int, Resource]:
        ids = sorted(set(resource_ids))
        if not ids:
            return {}
        rows = await self._read(
            f"SELECT * FROM resources WHERE id IN ({_placeholders(len(ids))})", ids
        )
        return {row["id"]: _resource(row) for row in rows}

    async def get_resource_by_token(self, *, token: str) -> Resource | None:
        """Exact lookup by callback token; the caller still compares it in constant time."""
        row = await self._read_one("SELECT * FROM resources WHERE callback_token = ?", (token,))
        return None if row is None else _resource(row)

    async def update_resource(
        self,
        *,
        resource_id: int,
        status: str | None | _Unset = UNSET,
        name: str | None | _Unset = UNSET,
        message_ts: str | None | _Unset = UNSET,
        channel_id: str | None | _Unset = UNSET,
        details: Mapping[str, Any] | _Unset = UNSET,
        finished: bool | _Unset = UNSET,
    ) -> Resource | None:
        """Change only the fields given (None clears); ``details`` is merged, not replaced.

        Returns the updated resource, or None if there is no such resource.
        """
        given = {
            "status": status,
            "name": name,
            "message_ts": message_ts,
            "channel_id": channel_id,
            "finished": finished,
        }
        changes = {k: v for k, v in given.items() if v is not UNSET}
        merge = None if isinstance(details, _Unset) else details

        async def job(db: Db) -> sqlite3.Row | None:
            if not changes and not merge:
                return await _row(db, "SELECT * FROM resources WHERE id = ?", (resource_id,))
            return await self._update_row(db, resource_id, changes, merge)

        row = await self.write(job)
        return None if row is None else _resource(row)

    async def list_resources(
        self,
        *,
        kind: str | None = None,
        owner_user_id: str | None = None,
        team_id: str | None = None,
        finished: bool | None = None,
        limit: int = 50,
    ) -> list[Resource]:
        """Resources matching every filter given (pending ones excluded), newest first."""
        filters = {
            "kind": kind,
            "owner_user_id": owner_user_id,
            "team_id": team_id,
            "finished": None if finished is None else int(finished),
        }
        used = {column: value for column, value in filters.items() if value is not None}
        where = "".join(f" AND {column} = ?" for column in used)
        rows = await self._read(
            f"SELECT * FROM resources WHERE tavus_id IS NOT NULL{where}"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (*used.values(), limit),
        )
        return [_resource(row) for row in rows]

    async def list_unfinished(self, *, kinds: Sequence[str] | None = None) -> list[Resource]:
        """Unfinished resources (optionally of some kinds only), oldest first: what to poll."""
        sql = "SELECT * FROM resources WHERE finished = 0"
        if kinds is not None:
            sql += f" AND kind IN ({_placeholders(len(kinds))})"
        rows = await self._read(sql + " ORDER BY id", tuple(kinds or ()))
        return [_resource(row) for row in rows]

    async def last_change_at(self) -> float:
        """When any resource last changed (0 for none): where a watcher starts looking."""
        row = await self._read_one("SELECT max(updated_at) FROM resources")
        return float(row[0]) if row is not None and row[0] is not None else 0.0

    async def owners_changed_since(self, *, since: float) -> dict[tuple[str, str], float]:
        """(team, owner) of every resource changed at or after ``since`` (the store's clock),
        with when their latest change was."""
        rows = await self._read(
            "SELECT team_id, owner_user_id, max(updated_at) FROM resources"
            " WHERE updated_at >= ? GROUP BY team_id, owner_user_id",
            (since,),
        )
        return {(row[0], row[1]): float(row[2]) for row in rows}

    # -- home tabs ---------------------------------------------------------------------------

    async def remember_home_tab(self, *, team_id: str, user_id: str, admin: bool) -> None:
        """A tab its owner just opened (and the app published): kept current across restarts."""
        now = self._clock()
        await self._write_sql(
            "INSERT INTO home_tabs (team_id, user_id, admin, opened_at, published_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, user_id) DO UPDATE SET"
            " admin = excluded.admin, opened_at = excluded.opened_at,"
            " published_at = excluded.published_at",
            (team_id, user_id, int(admin), now, now),
        )

    async def home_tab_published(self, *, team_id: str, user_id: str) -> None:
        await self._write_sql(
            "UPDATE home_tabs SET published_at = ? WHERE team_id = ? AND user_id = ?",
            (self._clock(), team_id, user_id),
        )

    async def home_tabs(self, *, max_age: float) -> list[HomeTab]:
        """The tabs opened in the last ``max_age`` seconds, oldest first."""
        now = self._clock()
        rows = await self._read(
            "SELECT team_id, user_id, admin, opened_at, published_at FROM home_tabs"
            " WHERE opened_at >= ? ORDER BY opened_at, team_id, user_id",
            (now - max_age,),
        )
        return [
            HomeTab(
                team_id=row[0],
                user_id=row[1],
                admin=bool(row[2]),
                age=max(0.0, now - float(row[3])),
                published_at=float(row[4]),
            )
            for row in rows
        ]

    async def forget_home_tabs(self, *, older_than: float) -> int:
        """Forget the tabs opened over ``older_than`` seconds ago; how many were."""
        rows = await self._write_sql(
            "DELETE FROM home_tabs WHERE opened_at < ? RETURNING 1",
            (self._clock() - older_than,),
        )
        return len(rows)

    async def count_unfinished(self, *, team_id: str) -> dict[str, int]:
        """How many jobs of each kind a team has running (known to Tavus, not finished)."""
        rows = await self._read(
            "SELECT kind, count(*) FROM resources"
            " WHERE team_id = ? AND finished = 0 AND tavus_id IS NOT NULL GROUP BY kind",
            (team_id,),
        )
        return {row[0]: int(row[1]) for row in rows}

    async def delete_resource(self, *, resource_id: int) -> bool:
        """Delete a resource with its events and outbox rows; False if it was not there."""
        rows = await self._write_sql(
            "DELETE FROM resources WHERE id = ? RETURNING id", (resource_id,)
        )
        return bool(rows)

    # -- starting a job: token first, then the create call, then the card ------------------

    async def begin_job(
        self,
        *,
        kind: str,
        team_id: str,
        owner_user_id: str,
        channel_id: str | None,
        callback_token: str,
        name: str | None = None,
        details: Mapping[str, Any] | None = None,
        thread_ts: str | None = None,
        card: bool = True,
    ) -> tuple[Resource, OutboxItem | None]:
        """Store a resource before Tavus is asked to create it, with its card held back.

        The token is known, so a callback that beats the create call's answer finds it; the
        card (and anything queued behind it) waits until ``confirm_job`` or ``adopt_tavus_id``.
        ``thread_ts``: the job hangs under an existing message (one a message shortcut was
        used on), and its card goes into that message's thread. ``card=False``: a resource
        with no card of its own (objectives, guardrails: their events go to their call's).
        """
        now = self._clock()

        async def job(db: Db) -> tuple[sqlite3.Row, sqlite3.Row | None]:
            resource = await _row(
                db,
                "INSERT INTO resources (kind, tavus_id, team_id, owner_user_id, channel_id,"
                " message_ts, callback_token, status, name, details, created_at, updated_at)"
                " VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    kind,
                    team_id,
                    owner_user_id,
                    channel_id,
                    thread_ts,
                    callback_token,
                    STARTING,
                    name,
                    _dumps_details(details or {}),
                    now,
                    now,
                ),
            )
            assert resource is not None
            if not card:
                return resource, None
            held = await _row(
                db,
                "INSERT INTO outbox (resource_id, action, payload, next_attempt_at, created_at,"
                " held) VALUES (?, ?, '{}', ?, ?, 1) RETURNING *",
                (resource["id"], CARD_ACTION, now, now),
            )
            return resource, held

        resource, held = await self.write(job)
        return _resource(resource), None if held is None else _outbox(held)

    async def confirm_job(
        self,
        *,
        resource_id: int,
        tavus_id: str,
        status: str,
        name: str | None = None,
        details: Mapping[str, Any] | None = None,
        finished: bool = False,
        status_not_after: Collection[str] = (),
    ) -> Resource | None:
        """Tavus answered the create call: record its id and state, and release the card.

        Callbacks may have come first (adopting the id): their later state stands, as in
        ``record_event`` (``status_not_after``), and a finished resource stays finished. The
        id is the answer's, even when a callback that came first named another one."""

        async def job(db: Db) -> sqlite3.Row | None:
            if not await self._set_tavus_id(db, resource_id, tavus_id):
                await self._replace_adopted_id(db, resource_id, tavus_id)
            await self._transition(
                db, resource_id, status, status_not_after, finished or None, details
            )
            if name is not None:
                await self._update_row(db, resource_id, {"name": name})
            return await _row(db, "SELECT * FROM resources WHERE id = ?", (resource_id,))

        row = await self.write(job)
        return None if row is None else _resource(row)

    async def adopt_tavus_id(self, *, resource_id: int, tavus_id: str) -> Resource | None:
        """A callback named the id of a resource whose create call never answered.

        None when that id already belongs to another resource of the kind: not adopted."""

        async def job(db: Db) -> sqlite3.Row | None:
            if not await self._set_tavus_id(db, resource_id, tavus_id):
                return None
            return await _row(db, "SELECT * FROM resources WHERE id = ?", (resource_id,))

        row = await self.write(job)
        return None if row is None else _resource(row)

    async def _replace_adopted_id(self, db: Db, resource_id: int, tavus_id: str) -> None:
        """The create call's answer names another id than a callback did before it came: the
        answer is Tavus's word for what it created (a callback only proves it knew the token)."""
        row = await _row(db, "SELECT tavus_id FROM resources WHERE id = ?", (resource_id,))
        adopted = None if row is None else row["tavus_id"]
        if adopted is None or adopted == tavus_id:
            return
        replaced = await _rows(
            db,
            "UPDATE resources SET tavus_id = ?, updated_at = ? WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM resources AS other WHERE other.tavus_id = ?"
            " AND other.kind = resources.kind AND other.id != resources.id) RETURNING id",
            (tavus_id, self._clock(), resource_id, tavus_id),
        )
        if replaced:
            logger.warning(
                "resource %d: a callback named %s before the create call answered %s; "
                "keeping the answer's id",
                resource_id,
                adopted,
                tavus_id,
            )

    async def _set_tavus_id(self, db: Db, resource_id: int, tavus_id: str) -> bool:
        """Name a pending resource; False if the id is another resource's (it stays pending)."""
        await _rows(
            db,
            "UPDATE resources SET tavus_id = ?, updated_at = ? WHERE id = ? AND tavus_id IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM resources AS other WHERE other.tavus_id = ?"
            " AND other.kind = resources.kind AND other.id != resources.id)",
            (tavus_id, self._clock(), resource_id, tavus_id),
        )
        named = await _row(db, "SELECT tavus_id FROM resources WHERE id = ?", (resource_id,))
        if named is None or named["tavus_id"] != tavus_id:
            return False
        await _rows(
            db,
            "UPDATE outbox SET held = 0, next_attempt_at = ? WHERE resource_id = ? AND held = 1",
            (self._clock(), resource_id),
        )
        return True

    async def abandon_job(self, *, resource_id: int) -> None:
        """Tavus refused the create call: forget the resource and its held card."""
        await self._write_sql(
            "DELETE FROM resources WHERE id = ? AND tavus_id IS NULL", (resource_id,)
        )

    # -- events ---------------------------------------------------------------------------

    async def record_event(
        self,
        *,
        resource_id: int,
        dedup_key: str,
        event_type: str,
        payload: Mapping[str, Any],
        outbox: Sequence[OutboxDraft] = (),
        status: str | None = None,
        status_not_after: Collection[str] = (),
        finished: bool | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Event | None:
        """Store an event, its outbox rows and the resource's new state in one transaction.

        Returns None, having written nothing, when (resource_id, dedup_key) is already
        stored: a redelivered callback posts nothing twice. Any failure writes nothing.
        ``status`` is taken unless the resource is already in one of ``status_not_after``
        (decided here, in the transaction: a late "joined" cannot undo an "ended").
        """
        now = self._clock()

        async def job(db: Db) -> sqlite3.Row | None:
            row = await _row(
                db,
                "INSERT INTO events (resource_id, dedup_key, event_type, payload, received_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (resource_id, dedup_key) DO NOTHING"
                " RETURNING *",
                (resource_id, dedup_key, event_type, _dumps(payload), now),
            )
            if row is None:
                return None
            await _insert_outbox(db, resource_id, row["id"], outbox, now)
            if status is not None or finished is not None or details:
                await self._transition(db, resource_id, status, status_not_after, finished, details)
            return row

        row = await self.write(job)
        return None if row is None else _event(row)

    async def _transition(
        self,
        db: Db,
        resource_id: int,
        status: str | None,
        not_after: Collection[str],
        finished: bool | None,
        details: Mapping[str, Any] | None,
    ) -> None:
        await _rows(
            db,
            "UPDATE resources SET"
            " status = CASE WHEN ?1 IS NOT NULL AND (status IS NULL OR status NOT IN"
            " (SELECT value FROM json_each(?2))) THEN ?1 ELSE status END,"
            " finished = coalesce(?3, finished),"
            " details = CASE WHEN ?4 IS NULL THEN details ELSE json_patch(details, ?4) END,"
            " updated_at = ?5 WHERE id = ?6",
            (
                status,
                _json_list(not_after),
                None if finished is None else int(finished),
                _dumps_details(details) if details else None,
                self._clock(),
                resource_id,
            ),
        )

    async def has_event(self, *, resource_id: int, dedup_key: str) -> bool:
        row = await self._read_one(
            "SELECT 1 FROM events WHERE resource_id = ? AND dedup_key = ?",
            (resource_id, dedup_key),
        )
        return row is not None

    async def event_types(self, *, resource_id: int) -> frozenset[str]:
        rows = await self._read(
            "SELECT DISTINCT event_type FROM events WHERE resource_id = ?", (resource_id,)
        )
        return frozenset(row[0] for row in rows)

    async def list_events(self, *, resource_id: int) -> list[Event]:
        rows = await self._read(
            "SELECT * FROM events WHERE resource_id = ? ORDER BY id", (resource_id,)
        )
        return [_event(row) for row in rows]

    # -- outbox ---------------------------------------------------------------------------

    async def enqueue(
        self, *, resource_id: int | None, drafts: Sequence[OutboxDraft]
    ) -> list[OutboxItem]:
        """Add outbox rows that no event caused, due at once."""
        now = self._clock()

        async def job(db: Db) -> list[sqlite3.Row]:
            return await _insert_outbox(db, resource_id, None, drafts, now)

        return [_outbox(row) for row in await self.write(job)]

    async def get_outbox(self, *, outbox_id: int) -> OutboxItem | None:
        row = await self._read_one("SELECT * FROM outbox WHERE id = ?", (outbox_id,))
        return None if row is None else _outbox(row)

    async def claim_outbox(
        self,
        *,
        owner: str,
        lease_seconds: float,
        limit: int,
        skip_channels: Collection[str] = (),
        dead_owners: Collection[str] = (),
        per_channel: int | None = None,
    ) -> Claimed:
        """Lease the rows due now that head their resource's queue, oldest first.

        A row is free when nobody leases it, its lease ran out, or its owner is known dead.
        A row claimed again without having been released may have reached Slack: it comes back
        ``unsure``, and the deliverer looks for it in Slack before posting it again.
        """
        now = self._clock()
        # Rows of a resource without a channel go to its owner's DM: that is their lane.
        rows = await self._write_sql(
            "UPDATE outbox SET unsure = (unsure OR lease_owner IS NOT NULL),"
            " lease_owner = ?, lease_until = ? WHERE id IN (SELECT id FROM ("
            " SELECT o.id, row_number() OVER (PARTITION BY"
            "  coalesce(r.channel_id, r.owner_user_id) ORDER BY o.id) AS place"
            " FROM outbox AS o JOIN resources AS r ON r.id = o.resource_id"
            f" WHERE {_HEAD_OF_QUEUE} AND o.held = 0 AND o.next_attempt_at <= ?"
            " AND (o.lease_owner IS NULL OR o.lease_until < ?"
            "  OR o.lease_owner IN (SELECT value FROM json_each(?)))"
            " AND coalesce(r.channel_id, r.owner_user_id) NOT IN (SELECT value FROM json_each(?))"
            ") WHERE place <= ? ORDER BY id LIMIT ?) RETURNING *",
            (
                owner,
                now + lease_seconds,
                now,
                now,
                _json_list(dead_owners),
                _json_list(skip_channels),
                limit if per_channel is None else per_channel,
                limit,
            ),
        )
        items = sorted((_outbox(row) for row in rows), key=lambda item: item.id)
        resources = await self.get_resources(
            resource_ids=[i.resource_id for i in items if i.resource_id is not None]
        )
        return Claimed(items=items, resources=resources)

    async def lease_owners(self) -> set[str]:
        """Who holds leases on undone rows: to spot owners that died holding some."""
        rows = await self._read(
            "SELECT DISTINCT lease_owner FROM outbox"
            " WHERE done_at IS NULL AND lease_owner IS NOT NULL"
        )
        return {row[0] for row in rows}

    async def next_outbox_due_at(self, *, skip_channels: Collection[str] = ()) -> float | None:
        """When a row next becomes claimable: its due time, or its lease's end if another
        deliverer holds it (so a waiting deliverer sleeps instead of asking again and again)."""
        row = await self._read_one(
            "SELECT min(max(o.next_attempt_at, CASE WHEN o.lease_owner IS NOT NULL"
            " THEN o.lease_until ELSE 0 END)) FROM outbox AS o JOIN resources AS r"
            f" ON r.id = o.resource_id WHERE {_HEAD_OF_QUEUE} AND o.held = 0"
            " AND coalesce(r.channel_id, r.owner_user_id)"
            " NOT IN (SELECT value FROM json_each(?))",
            (_json_list(skip_channels),),
        )
        return None if row is None else row[0]

    async def pending_outbox_count(self) -> int:
        row = await self._read_one("SELECT count(*) FROM outbox WHERE done_at IS NULL")
        return 0 if row is None else int(row[0])

    async def outbox_backlog(self) -> dict[str, float | int | None]:
        """For /healthz: how many rows wait, and how late the oldest due one is."""
        row = await self._read_one(
            "SELECT count(*), min(CASE WHEN held = 0 THEN next_attempt_at END)"
            " FROM outbox WHERE done_at IS NULL"
        )
        pending, oldest_due = (0, None) if row is None else (int(row[0]), row[1])
        late = None if oldest_due is None else max(0.0, self._clock() - oldest_due)
        return {"pending": pending, "oldest_due_seconds": late}

    async def complete_outbox(
        self, *, outbox_id: int, result: Mapping[str, Any] | None = None
    ) -> None:
        """Mark a row done (Slack accepted it, or it was set aside), keeping ``result``."""
        await self._write_sql(
            "UPDATE outbox SET done_at = ?, result = ?, lease_owner = NULL, lease_until = NULL"
            " WHERE id = ?",
            (self._clock(), None if result is None else _dumps(result), outbox_id),
        )

    async def renew_lease(self, *, outbox_id: int, owner: str, lease_seconds: float) -> bool:
        """Extend ``owner``'s lease on a row just before using it; False if it is no longer
        theirs (the lease ran out and another deliverer took the row)."""
        rows = await self._write_sql(
            "UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_owner = ?"
            " AND done_at IS NULL RETURNING id",
            (self._clock() + lease_seconds, outbox_id, owner),
        )
        return bool(rows)

    async def complete_card(
        self,
        *,
        outbox_id: int,
        resource_id: int,
        channel_id: str,
        card_ts: str,
        in_thread: bool,
        result: Mapping[str, Any],
    ) -> Resource | None:
        """The card is in Slack: record where, and mark its row done, in one transaction.

        ``in_thread``: the card went into the thread of a message the resource already hangs
        under (``message_ts``); otherwise the card is the thread's root."""
        changes: dict[str, Any] = {"channel_id": channel_id}
        if not in_thread:
            changes["message_ts"] = card_ts
        details = {"card_ts": card_ts if in_thread else None}

        async def job(db: Db) -> sqlite3.Row | None:
            row = await self._update_row(db, resource_id, changes, details)
            await _rows(
                db,
                "UPDATE outbox SET done_at = ?, result = ?, lease_owner = NULL,"
                " lease_until = NULL WHERE id = ?",
                (self._clock(), _dumps(result), outbox_id),
            )
            return row

        row = await self.write(job)
        return None if row is None else _resource(row)

    async def retry_outbox(
        self,
        *,
        outbox_id: int,
        error: str,
        next_attempt_at: float,
        transient: bool = False,
        unsure: bool = False,
    ) -> None:
        """Release a row for a later attempt. Only non-transient failures use up attempts."""
        await self._write_sql(
            "UPDATE outbox SET attempts = attempts + ?, transient_failures ="
            " transient_failures + ?, last_error = ?, next_attempt_at = ?, unsure = ?,"
            " lease_owner = NULL, lease_until = NULL WHERE id = ?",
            (int(not transient), int(transient), error, next_attempt_at, int(unsure), outbox_id),
        )

    async def set_outbox_file(self, *, outbox_id: int, file_id: str) -> None:
        """Remember the Slack file an upload created, before it is shared into the thread."""
        await self._write_sql("UPDATE outbox SET file_id = ? WHERE id = ?", (file_id, outbox_id))

    # -- requests seen (a replayed Slack request runs once) -------------------------------

    async def first_sighting(self, *, key: str, keep_seconds: float) -> bool:
        """True the first time ``key`` is seen within ``keep_seconds``; older keys are pruned."""
        now = self._clock()

        expired = now - keep_seconds
        prune = now - self._pruned_at > PRUNE_EVERY_SECONDS
        if prune:
            self._pruned_at = now

        async def job(db: Db) -> bool:
            if prune:
                await _rows(db, "DELETE FROM seen_requests WHERE seen_at < ?", (expired,))
            # A key seen longer ago than keep_seconds counts as new, pruned yet or not.
            inserted = await _rows(
                db,
                "INSERT INTO seen_requests (key, seen_at) VALUES (?, ?) ON CONFLICT (key)"
                " DO UPDATE SET seen_at = excluded.seen_at WHERE seen_at < ? RETURNING key",
                (key, now, expired),
            )
            return bool(inserted)

        return await self.write(job)

    # -- preferences ----------------------------------------------------------------------

    async def get_preference(
        self, *, team_id: str, scope: str, scope_id: str, key: str
    ) -> str | None:
        row = await self._read_one(
            "SELECT value FROM preferences"
            " WHERE team_id = ? AND scope = ? AND scope_id = ? AND key = ?",
            (team_id, scope, scope_id, key),
        )
        return None if row is None else str(row[0])

    async def get_preferences(self, *, team_id: str, scope: str, scope_id: str) -> dict[str, str]:
        rows = await self._read(
            "SELECT key, value FROM preferences WHERE team_id = ? AND scope = ? AND scope_id = ?"
            " ORDER BY key",
            (team_id, scope, scope_id),
        )
        return {row["key"]: row["value"] for row in rows}

    async def set_preference(
        self, *, team_id: str, scope: str, scope_id: str, key: str, value: str | None
    ) -> None:
        """Store a preference; ``value=None`` deletes it."""
        if scope not in PREFERENCE_SCOPES:
            raise ValueError(f"unknown preference scope {scope!r}")
        if value is None:
            await self._write_sql(
                "DELETE FROM preferences"
                " WHERE team_id = ? AND scope = ? AND scope_id = ? AND key = ?",
                (team_id, scope, scope_id, key),
            )
            return
        await self._write_sql(
            "INSERT INTO preferences (team_id, scope, scope_id, key, value)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (team_id, scope, scope_id, key) DO UPDATE SET value = excluded.value",
            (team_id, scope, scope_id, key, value),
        )


async def _insert_outbox(
    db: Db,
    resource_id: int | None,
    event_id: int | None,
    drafts: Sequence[OutboxDraft],
    now: float,
) -> list[sqlite3.Row]:
    """All of an event's rows in one multi-row INSERT, in order."""
    drafts = await _unmerged(db, resource_id, drafts)
    if not drafts:
        return []
    values = ", ".join("(?, ?, ?, ?, 0, ?, ?)" for _ in drafts)
    params: list[Any] = []
    for draft in drafts:
        params += [resource_id, event_id, draft.action, _dumps(draft.payload), now, now]
    rows = await _rows(
        db,
        "INSERT INTO outbox (resource_id, event_id, action, payload, attempts,"
        f" next_attempt_at, created_at) VALUES {values} RETURNING *",
        params,
    )
    return sorted(rows, key=lambda row: row["id"])


async def _unmerged(
    db: Db, resource_id: int | None, drafts: Sequence[OutboxDraft]
) -> list[OutboxDraft]:
    """The drafts left once a mergeable one that repeats the queue's last row is dropped."""
    if resource_id is None or not any(draft.merge for draft in drafts):
        return list(drafts)
    last = await _row(
        db,
        "SELECT action, payload, lease_owner FROM outbox WHERE resource_id = ?"
        " AND done_at IS NULL ORDER BY id DESC LIMIT 1",
        (resource_id,),
    )
    # A row already being delivered may render an older state: it does not absorb a new one.
    tail = None if last is None or last["lease_owner"] else (last["action"], last["payload"])
    kept = []
    for draft in drafts:
        row = (draft.action, _dumps(draft.payload))
        if draft.merge and row == tail:
            continue
        kept.append(draft)
        tail = row
    return kept


def _fail(queued: _Queued, exc: BaseException) -> None:
    if not queued.future.done():
        queued.future.set_exception(exc)
