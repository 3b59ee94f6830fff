"""What the kinds that report by status share: videos, replicas, lip-syncs, documents.

Their callbacks carry the resource object itself, with no event type: the status is the
event, and the state is the dedup key, so a callback and a poll of one state are one event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks.text import as_text, truncate
from bot.events.base import Interpretation, fingerprint
from storage import Resource

# A job that has not moved for this long will not: stop asking Tavus about it.
STALLED_SECONDS = 12 * 3600
STATUS_MAX = 60
REASON_MAX = 1000
URL_MAX = 3000  # Slack's limit for a URL in a button or link

Body = Mapping[str, Any]


def status_of(body: Body) -> str | None:
    """The status a body reports, lower-cased; None when it reports none a person could read."""
    status = body.get("status")
    if not isinstance(status, str) or not status.strip():
        return None
    return truncate(as_text(status).strip().lower(), STATUS_MAX)


def unreadable(unknown: str, status: str | None, body: Body) -> Interpretation:
    """Stored, never posted: a status Tavus added since (one event per status), or a body
    with no status at all (one event per distinct body)."""
    if status is not None:
        return Interpretation(dedup_key=f"status:{status}", event_type=unknown)
    volatile = ("updated_at", "webhook_url", "callback_url")
    stable = {key: value for key, value in body.items() if key not in volatile}
    return Interpretation(dedup_key=f"odd:{fingerprint(stable)}", event_type=unknown)


def reason_of(body: Body, *keys: str) -> str | None:
    """The first non-empty reason among ``keys``, as text, capped (escaped by the builder)."""
    for key in keys:
        value = body.get(key)
        if value is not None and as_text(value).strip():
            return truncate(" ".join(as_text(value).split()), REASON_MAX)
    return None


def url_of(body: Body, *keys: str) -> str | None:
    """The first URL among ``keys`` that a link could carry, uncut (a cut URL is another URL)."""
    for key in keys:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value if len(value) <= URL_MAX else None
    return None


def stalled(resource: Resource, now: float, seconds: float = STALLED_SECONDS) -> bool:
    """Unchanged for ``seconds``: whatever it waits for is not coming."""
    return now - resource.updated_at > seconds
