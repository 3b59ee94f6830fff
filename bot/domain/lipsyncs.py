"""Lip-syncs: an existing video re-voiced with new audio (Tavus marks the API deprecated)."""

from __future__ import annotations

from bot.domain.lifecycle import Lifecycle

KIND = "lipsync"
ID_KEY = "lipsync_id"  # newer bodies
OLDER_ID_KEYS = ("request_id",)  # the legacy name of the same id

STARTED = "started"
COMPLETED = "completed"
ERROR = "error"
DELETED = "deleted"  # ours: Tavus forgets a deleted lip-sync instead of marking it
LIFECYCLE = Lifecycle.of(STARTED, (COMPLETED, ERROR), DELETED)
FINAL = frozenset({COMPLETED, ERROR, DELETED})

EVENT_PREFIX = "lipsync."
UNKNOWN = "lipsync.unknown"

DEPRECATION_NOTE = (
    "Tavus marks its lip-sync API deprecated: it may stop working for your account at any time."
)
