"""Schema steps, applied in order; step N leaves the database at ``PRAGMA user_version = N``.

Append new steps; never edit one that has shipped. Steps run with foreign keys off (so a table
can be rebuilt without cascading deletes) and are checked with ``PRAGMA foreign_key_check``.
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

# v2: resource kinds come from the code's registry, not a CHECK that needs a migration per kind;
# tavus_id is NULL while the create call is in flight (the callback token is stored first).
_V2_RESOURCES = """
CREATE TABLE resources_v2 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (length(kind) > 0),
    tavus_id TEXT,
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

_V2_SEEN_REQUESTS = """
CREATE TABLE seen_requests (
    key TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
) WITHOUT ROWID
"""

_V5_HOME_TABS = """
CREATE TABLE home_tabs (
    team_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    admin INTEGER NOT NULL CHECK (admin IN (0, 1)),
    opened_at REAL NOT NULL,
    published_at REAL NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID
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
    (
        _V2_RESOURCES,
        "INSERT INTO resources_v2 SELECT * FROM resources",
        "DROP TABLE resources",
        "ALTER TABLE resources_v2 RENAME TO resources",
        "CREATE INDEX resources_unfinished ON resources (finished, kind)",
        "CREATE INDEX resources_owner ON resources (team_id, owner_user_id, kind, created_at)",
        # A card waiting for its create call; the rows behind it wait with it.
        "ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0",
        # Which process is delivering the row, and until when (two processes never both post).
        "ALTER TABLE outbox ADD COLUMN lease_owner TEXT",
        "ALTER TABLE outbox ADD COLUMN lease_until REAL",
        # The last attempt may have reached Slack: look for the message before posting again.
        "ALTER TABLE outbox ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0",
        # Rate limits and outages: counted apart from attempts, which only real failures use up.
        "ALTER TABLE outbox ADD COLUMN transient_failures INTEGER NOT NULL DEFAULT 0",
        # An upload's Slack file id, known before the file is shared into the thread.
        "ALTER TABLE outbox ADD COLUMN file_id TEXT",
        "CREATE INDEX outbox_pending ON outbox (resource_id, id) WHERE done_at IS NULL",
        _V2_SEEN_REQUESTS,
    ),
    # v3: pruning replayed-request keys by age without scanning them all.
    ("CREATE INDEX seen_requests_age ON seen_requests (seen_at)",),
    # v4: App Home asks every few seconds whose resources changed since it last looked.
    ("CREATE INDEX resources_changed ON resources (updated_at)",),
    # v5: the home tabs being kept current, so that a restart does not leave them stale.
    (_V5_HOME_TABS,),
)

SCHEMA_VERSION = len(MIGRATIONS)
