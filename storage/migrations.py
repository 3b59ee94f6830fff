"""Schema steps, applied in order; step N leaves the database at ``PRAGMA user_version = N``.

Append new steps; never edit one that has shipped.
"""

from __future__ import annotations

Migration = tuple[str, ...]

_V1_RESOURCES = """
CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN (
        'conversation', 'video', 'replica', 'persona', 'document', 'objective', 'guardrail'
    )),
    tavus_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    owner_user_id TEXT NOT NULL,
    channel_id TEXT,
    message_ts TEXT,
    callback_token TEXT UNIQUE,
    status TEXT,
    name TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    finished INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1)),
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (kind, tavus_id)
)
"""

_V1_EVENTS = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    dedup_key TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    received_at REAL NOT NULL,
    UNIQUE (resource_id, dedup_key)
)
"""

_V1_OUTBOX = """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER REFERENCES resources (id) ON DELETE CASCADE,
    event_id INTEGER REFERENCES events (id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (length(action) > 0),
    payload TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    created_at REAL NOT NULL,
    done_at REAL,
    result TEXT
)
"""

_V1_PREFERENCES = """
CREATE TABLE preferences (
    team_id TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('user', 'channel')),
    scope_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (team_id, scope, scope_id, key)
)
"""

MIGRATIONS: tuple[Migration, ...] = (
    (
        _V1_RESOURCES,
        _V1_EVENTS,
        _V1_OUTBOX,
        _V1_PREFERENCES,
        "CREATE INDEX outbox_due ON outbox (done_at, next_attempt_at)",
        "CREATE INDEX outbox_resource ON outbox (resource_id)",
        "CREATE INDEX outbox_event ON outbox (event_id)",
        "CREATE INDEX resources_unfinished ON resources (finished, kind)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
