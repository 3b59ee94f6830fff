"""The one store: a single aiosqlite connection, verb-named keyword-only methods.

The connection runs in autocommit mode; every write happens inside an explicit
``BEGIN IMMEDIATE ... COMMIT`` taken under an ``asyncio.Lock``, and reads take the same
lock, so coroutines sharing the connection never see or join each other's transactions.
"""

from __future__ import annotations

import asyncio
import enum
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from storage.migrations import MIGRATIONS, SCHEMA_VERSION
from storage.models import (
    PREFERENCE_SCOPES,
    RESOURCE_KINDS,
    Event,
    OutboxDraft,
    OutboxItem,
    Resource,
)

BUSY_TIMEOUT_MS = 5_000
_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}",
    "PRAGMA synchronous = NORMAL",
)
# Column names interpolated into UPDATE statements must come from this set.
_UPDATABLE = frozenset(
    {"team_id", "owner_user_id", "channel_id", "message_ts", "callback_token"}
    | {"status", "name", "details", "finished"}
)

Params = Sequence[Any]


# An undone outbox row with no older undone row for the same resource.
_HEAD_OF_QUEUE = (
    "o.done_at IS NULL AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.done_at IS NULL"
    " AND e.resource_id = o.resource_id AND e.id < o.id)"
)


class StoreError(Exception):
    """The database cannot be used as this version of the app expects."""


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


def _dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True)


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
    return OutboxItem(**data)


async def _fetchone(db: aiosqlite.Connection, sql: str, params: Params = ()) -> sqlite3.Row | None:
    async with db.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def _fetchall(db: aiosqlite.Connection, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    async with db.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def _execute(db: aiosqlite.Connection, sql: str, params: Params = ()) -> int:
    async with db.execute(sql, params) as cursor:
        return cursor.rowcount


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


class Store:
    """Resources, their events, the Slack outbox and preferences, in one SQLite file."""

    def __init__(self, db: aiosqlite.Connection, *, clock: Callable[[], float] = time.time):
        self._db = db
        self._clock = clock
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, clock: Callable[[], float] = time.time) -> Store:
        """Open (creating if needed) the database at ``path`` and apply pending migrations."""
        path = Path(path)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            for pragma in _PRAGMAS:
                await _execute(db, pragma)
            store = cls(db, clock=clock)
            await store._migrate()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
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

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await _execute(self._db, "BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await _execute(self._db, "ROLLBACK")
                raise
            await _execute(self._db, "COMMIT")

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._db

    async def _one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._reading() as db:
            return await _fetchone(db, sql, params)

    async def _all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._reading() as db:
            return await _fetchall(db, sql, params)

    async def _write(self, sql: str, params: Params = ()) -> int:
        async with self._transaction() as db:
            return await _execute(db, sql, params)

    async def _migrate(self) -> None:
        found = await self.schema_version()
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"database schema version {found} is newer than this app ({SCHEMA_VERSION}); "
                "upgrade the app or point DATABASE_URL at another file"
            )
        for version, steps in enumerate(MIGRATIONS, start=1):
            async with self._transaction() as db:
                row = await _fetchone(db, "PRAGMA user_version")
                if row is not None and row[0] >= version:
                    continue
                for sql in steps:
                    await _execute(db, sql)
                await _execute(db, f"PRAGMA user_version = {version:d}")

    # -- health ---------------------------------------------------------------------------

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return 0 if row is None else int(row[0])

    async def ping(self) -> bool:
        """True while the database answers ``SELECT 1``."""
        try:
            row = await self._one("SELECT 1")
        except (sqlite3.Error, ValueError):
            return False
        return row is not None and row[0] == 1

    async def check_writable(self) -> None:
        """Write a row and roll it back; raises ``sqlite3.Error`` if the file is not writable."""
        async with self._lock:
            await _execute(self._db, "BEGIN IMMEDIATE")
            try:
                await _execute(
                    self._db,
                    "INSERT OR REPLACE INTO preferences (team_id, scope, scope_id, key, value)"
                    " VALUES (?, ?, ?, ?, ?)",
                    ("", "user", "", "check_writable", str(self._clock())),
                )
            finally:
                await _execute(self._db, "ROLLBACK")

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
        """Insert a resource, or upsert when (kind, tavus_id) is already stored.

        On upsert the team and owner are replaced, the other fields change only when given
        (not None), ``details`` is merged into the stored dict, and ``finished`` is kept.
        """
        if kind not in RESOURCE_KINDS:
            raise ValueError(f"unknown resource kind {kind!r}")
        given = {
            "channel_id": channel_id,
            "message_ts": message_ts,
            "status": status,
            "name": name,
            "callback_token": callback_token,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        async with self._transaction() as db:
            existing = await _fetchone(
                db, "SELECT id FROM resources WHERE kind = ? AND tavus_id = ?", (kind, tavus_id)
            )
            if existing is None:
                row = await self._insert_resource(
                    db, kind, tavus_id, team_id, owner_user_id, changes, details or {}
                )
            else:
                changes.update(team_id=team_id, owner_user_id=owner_user_id)
                row = await self._update_resource(db, existing["id"], changes, details)
        assert row is not None
        return _resource(row)

    async def _insert_resource(
        self,
        db: aiosqlite.Connection,
        kind: str,
        tavus_id: str,
        team_id: str,
        owner_user_id: str,
        fields: Mapping[str, Any],
        details: Mapping[str, Any],
    ) -> sqlite3.Row | None:
        now = self._clock()
        return await _fetchone(
            db,
            "INSERT INTO resources (kind, tavus_id, team_id, owner_user_id, channel_id,"
            " message_ts, callback_token, status, name, details, finished, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING *",
            (
                kind,
                tavus_id,
                team_id,
                owner_user_id,
                fields.get("channel_id"),
                fields.get("message_ts"),
                fields.get("callback_token"),
                fields.get("status"),
                fields.get("name"),
                _dumps(details),
                now,
                now,
            ),
        )

    async def _update_resource(
        self,
        db: aiosqlite.Connection,
        resource_id: int,
        changes: dict[str, Any],
        details: Mapping[str, Any] | None = None,
    ) -> sqlite3.Row | None:
        current = await _fetchone(db, "SELECT * FROM resources WHERE id = ?", (resource_id,))
        if current is None or (not changes and details is None):
            return current
        if details is not None:
            changes["details"] = _dumps({**json.loads(current["details"]), **details})
        if "finished" in changes:
            changes["finished"] = int(bool(changes["finished"]))
        if not changes.keys() <= _UPDATABLE:
            raise ValueError(f"not updatable: {sorted(changes.keys() - _UPDATABLE)}")
        assignments = "".join(f"{column} = ?, " for column in changes)
        return await _fetchone(
            db,
            f"UPDATE resources SET {assignments}updated_at = ? WHERE id = ? RETURNING *",
            (*changes.values(), self._clock(), resource_id),
        )

    async def get_resource(self, *, kind: str, tavus_id: str) -> Resource | None:
        row = await self._one(
            "SELECT * FROM resources WHERE kind = ? AND tavus_id = ?", (kind, tavus_id)
        )
        return None if row is None else _resource(row)

    async def get_resource_by_id(self, *, resource_id: int) -> Resource | None:
        row = await self._one("SELECT * FROM resources WHERE id = ?", (resource_id,))
        return None if row is None else _resource(row)

    async def get_resource_by_token(self, *, token: str) -> Resource | None:
        """Exact lookup by callback token; the caller still compares it in constant time."""
        row = await self._one("SELECT * FROM resources WHERE callback_token = ?", (token,))
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
        async with self._transaction() as db:
            row = await self._update_resource(db, resource_id, changes, merge)
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
        """Resources matching every filter given, newest first."""
        filters = {
            "kind": kind,
            "owner_user_id": owner_user_id,
            "team_id": team_id,
            "finished": None if finished is None else int(finished),
        }
        used = {column: value for column, value in filters.items() if value is not None}
        where = " AND ".join(f"{column} = ?" for column in used) or "1"
        rows = await self._all(
            f"SELECT * FROM resources WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ?",
            (*used.values(), limit),
        )
        return [_resource(row) for row in rows]

    async def list_unfinished(self, *, kinds: Sequence[str] | None = None) -> list[Resource]:
        """Unfinished resources (optionally of some kinds only), oldest first: what to poll."""
        sql = "SELECT * FROM resources WHERE finished = 0"
        if kinds is not None:
            sql += f" AND kind IN ({_placeholders(len(kinds))})"
        rows = await self._all(sql + " ORDER BY id", tuple(kinds or ()))
        return [_resource(row) for row in rows]

    async def delete_resource(self, *, resource_id: int) -> bool:
        """Delete a resource with its events and outbox rows; False if it was not there."""
        return await self._write("DELETE FROM resources WHERE id = ?", (resource_id,)) > 0

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
        finished: bool | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Event | None:
        """Store an event, its outbox rows and the resource's new state in one transaction.

        Returns None, having written nothing, when (resource_id, dedup_key) is already
        stored: a redelivered callback posts nothing twice. Any failure writes nothing.
        """
        now = self._clock()
        async with self._transaction() as db:
            row = await _fetchone(
                db,
                "INSERT INTO events (resource_id, dedup_key, event_type, payload, received_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (resource_id, dedup_key) DO NOTHING"
                " RETURNING *",
                (resource_id, dedup_key, event_type, _dumps(payload), now),
            )
            if row is None:
                return None
            await self._insert_outbox(db, resource_id, row["id"], outbox, now)
            changes = {"status": status, "finished": finished}
            changes = {k: v for k, v in changes.items() if v is not None}
            if changes or details:
                await self._update_resource(db, resource_id, changes, details or None)
        return _event(row)

    async def has_event(self, *, resource_id: int, dedup_key: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM events WHERE resource_id = ? AND dedup_key = ?",
            (resource_id, dedup_key),
        )
        return row is not None

    async def list_events(self, *, resource_id: int) -> list[Event]:
        rows = await self._all(
            "SELECT * FROM events WHERE resource_id = ? ORDER BY id", (resource_id,)
        )
        return [_event(row) for row in rows]

    # -- outbox ---------------------------------------------------------------------------

    async def _insert_outbox(
        self,
        db: aiosqlite.Connection,
        resource_id: int | None,
        event_id: int | None,
        drafts: Iterable[OutboxDraft],
        now: float,
    ) -> list[OutboxItem]:
        items = []
        for draft in drafts:
            row = await _fetchone(
                db,
                "INSERT INTO outbox (resource_id, event_id, action, payload, attempts,"
                " next_attempt_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING *",
                (resource_id, event_id, draft.action, _dumps(draft.payload), now, now),
            )
            assert row is not None
            items.append(_outbox(row))
        return items

    async def enqueue(
        self, *, resource_id: int | None, drafts: Sequence[OutboxDraft]
    ) -> list[OutboxItem]:
        """Add outbox rows that no event caused, due at once."""
        now = self._clock()
        async with self._transaction() as db:
            return await self._insert_outbox(db, resource_id, None, drafts, now)

    async def get_outbox(self, *, outbox_id: int) -> OutboxItem | None:
        row = await self._one("SELECT * FROM outbox WHERE id = ?", (outbox_id,))
        return None if row is None else _outbox(row)

    async def due_outbox(self, *, now: float | None = None, limit: int = 20) -> list[OutboxItem]:
        """Rows due now, oldest first; a resource's rows wait behind its oldest undone row,
        so a thread reads in the order things happened even when one post is retried."""
        rows = await self._all(
            f"SELECT * FROM outbox AS o WHERE {_HEAD_OF_QUEUE} AND o.next_attempt_at <= ?"
            " ORDER BY o.id LIMIT ?",
            (self._clock() if now is None else now, limit),
        )
        return [_outbox(row) for row in rows]

    async def next_outbox_due_at(self) -> float | None:
        row = await self._one(
            f"SELECT min(o.next_attempt_at) FROM outbox AS o WHERE {_HEAD_OF_QUEUE}"
        )
        return None if row is None else row[0]

    async def pending_outbox_count(self) -> int:
        row = await self._one("SELECT count(*) FROM outbox WHERE done_at IS NULL")
        return 0 if row is None else int(row[0])

    async def complete_outbox(
        self, *, outbox_id: int, result: Mapping[str, Any] | None = None
    ) -> None:
        """Mark a row done (Slack accepted it), keeping ``result`` (e.g. the posted ts)."""
        await self._write(
            "UPDATE outbox SET done_at = ?, result = ? WHERE id = ?",
            (self._clock(), None if result is None else _dumps(result), outbox_id),
        )

    async def retry_outbox(self, *, outbox_id: int, error: str, next_attempt_at: float) -> None:
        """Count a failed attempt and schedule the next one."""
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
            " WHERE id = ?",
            (error, next_attempt_at, outbox_id),
        )

    # -- preferences ----------------------------------------------------------------------

    async def get_preference(
        self, *, team_id: str, scope: str, scope_id: str, key: str
    ) -> str | None:
        row = await self._one(
            "SELECT value FROM preferences"
            " WHERE team_id = ? AND scope = ? AND scope_id = ? AND key = ?",
            (team_id, scope, scope_id, key),
        )
        return None if row is None else str(row[0])

    async def get_preferences(self, *, team_id: str, scope: str, scope_id: str) -> dict[str, str]:
        rows = await self._all(
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
            await self._write(
                "DELETE FROM preferences"
                " WHERE team_id = ? AND scope = ? AND scope_id = ? AND key = ?",
                (team_id, scope, scope_id, key),
            )
            return
        await self._write(
            "INSERT INTO preferences (team_id, scope, scope_id, key, value)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (team_id, scope, scope_id, key) DO UPDATE SET value = excluded.value",
            (team_id, scope, scope_id, key, value),
        )
