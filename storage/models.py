"""Frozen records returned by the store; JSON columns arrive decoded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PREFERENCE_SCOPES = frozenset({"user", "channel"})


@dataclass(frozen=True)
class Resource:
    id: int
    kind: str
    # None while the create call is in flight: the callback token is stored before it.
    tavus_id: str | None
    team_id: str
    owner_user_id: str
    channel_id: str | None
    message_ts: str | None
    callback_token: str | None
    status: str | None
    name: str | None
    details: dict[str, Any]
    finished: bool
    created_at: float
    updated_at: float

    @property
    def is_pending(self) -> bool:
        """Tavus has not told us this resource's id yet."""
        return self.tavus_id is None

    @property
    def card_ts(self) -> str | None:
        """The card's own message: the thread's root, unless the card was posted inside
        another message's thread (a job started from a message shortcut)."""
        card = self.details.get("card_ts")
        return card if isinstance(card, str) else self.message_ts


@dataclass(frozen=True)
class Event:
    id: int
    resource_id: int
    dedup_key: str
    event_type: str
    payload: dict[str, Any]
    received_at: float


@dataclass(frozen=True)
class OutboxDraft:
    """An outbox row before it is stored: what callers hand to the store.

    ``merge``: when the resource's queue already ends with the same row, not yet being
    delivered, this one is not added; it would do the same thing (a card refresh renders
    the latest state whenever it runs, so a job's hundred progress steps need few)."""

    action: str
    payload: dict[str, Any] = field(default_factory=dict)
    merge: bool = False


@dataclass(frozen=True)
class OutboxItem:
    id: int
    resource_id: int | None
    event_id: int | None
    action: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: float
    last_error: str | None
    created_at: float
    done_at: float | None = None
    result: dict[str, Any] | None = None
    held: bool = False
    lease_owner: str | None = None
    lease_until: float | None = None
    unsure: bool = False
    transient_failures: int = 0
    file_id: str | None = None


@dataclass(frozen=True)
class HomeTab:
    """A home tab the app keeps current: whose, and when it was opened and last published
    (store clock); ``age``: seconds since it was opened."""

    team_id: str
    user_id: str
    admin: bool
    age: float
    published_at: float
