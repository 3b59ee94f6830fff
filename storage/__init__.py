"""The aiosqlite store: schema and migrations, one store class."""

from __future__ import annotations

from storage.migrations import MIGRATIONS, SCHEMA_VERSION
from storage.models import PREFERENCE_SCOPES, Event, HomeTab, OutboxDraft, OutboxItem, Resource
from storage.store import CARD_ACTION, UNSET, Claimed, Store, StoreError, is_storage_fault

__all__ = [
    "CARD_ACTION",
    "MIGRATIONS",
    "PREFERENCE_SCOPES",
    "SCHEMA_VERSION",
    "UNSET",
    "Claimed",
    "Event",
    "HomeTab",
    "OutboxDraft",
    "OutboxItem",
    "Resource",
    "Store",
    "StoreError",
    "is_storage_fault",
]
