from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.times import epoch_seconds
from storage import OutboxDraft


class MalformedEvent(ValueError):
    """The body names another resource than its callback URL's: nothing is stored."""


@dataclass(frozen=True)
class ThreadOf:
    """Another resource whose thread an event's posts belong in."""

    kind: str
    tavus_id: str


@dataclass(frozen=True)
class Interpretation:
    dedup_key: str
    event_type: str
    drafts: tuple[OutboxDraft, ...] = ()
    status: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # The resource whose thread the posts belong in. When it is one of ours, the event is
    # stored among its events, under ``thread_dedup_key`` (what that resource's own
    # interpreter calls it): one event, whichever URL Tavus sent it to. Such an event
    # carries no status or details of its own.
    thread_of: ThreadOf | None = None
    thread_dedup_key: str | None = None
    # Picker caches (``bot.choices`` keys) this event puts out of date, e.g. a replica now
    # ready belongs in the ready-replicas picker.
    stale_choices: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Polled:
    """What a poll of one resource found: events shaped as callbacks, and Tavus's status."""

    bodies: tuple[Mapping[str, Any], ...] = ()
    remote_status: str | None = None
    gone: bool = False  # Tavus no longer knows it


def fingerprint(value: Any) -> str:
    """A stable short hash, for events that may legitimately happen more than once."""
    canonical = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def moment(body: Mapping[str, Any]) -> object:
    """When an event happened, as the same value however Tavus wrote the timestamp."""
    raw = body.get("timestamp")
    seconds = epoch_seconds(raw)
    return raw if seconds is None else seconds


# A reply is a result (a transcript, a video, an error) unless it says it is an update (the
# replica joined, the call ended): a channel set to "results only" gets results alone.
UPDATE = "update"


def reply(
    text: str, blocks: list[dict[str, Any]] | None = None, *, update: bool = False
) -> OutboxDraft:
    payload: dict[str, Any] = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    if update:
        payload["tier"] = UPDATE
    return OutboxDraft(action="reply", payload=payload)


def upload(*, content: str, filename: str, title: str, comment: str | None = None) -> OutboxDraft:
    payload = {"content": content, "filename": filename, "title": title, "comment": comment}
    return OutboxDraft(action="upload", payload=payload)


REFRESH_PARENT = OutboxDraft(action="refresh_parent", payload={})

# A job's progress changes the card, nothing else; the store keeps one such refresh queued.
REFRESH_PROGRESS = OutboxDraft(action="refresh_parent", payload={}, merge=True)
