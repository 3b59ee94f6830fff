"""The aiosqlite store: schema and migrations, one store class."""

from __future__ import annotations

from storage.migrations import MIGRATIONS, SCHEMA_VERSION
from storage.models import (
    PREFERENCE_SCOPES,
    RESOURCE_KINDS,
    Event,
    OutboxDraft,
    OutboxItem,
    Resource,
)
from storage.store import UNSET, Store, StoreError

__all__ = [
    "MIGRATIONS",
    "PREFERENCE_SCOPES",
    "RESOURCE_KINDS",
    "SCHEMA_VERSION",
    "UNSET",
    "Event",
    "OutboxDraft",
    "OutboxItem",
    "Resource",
    "Store",
    "StoreError",
]
