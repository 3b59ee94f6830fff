"""Replica training events: what Tavus posts to a replica's callback_url, or polling finds.

Callbacks carry the replica itself, `{replica_id, status, error_message}`, with no
event_type; polling hands over the whole GET object the same way. Both are read by status,
and the dedup key is the state (``training:40``, ``ready``, ``error``), so a callback and a
poll of one state are one event. Progress only refreshes the card; the thread hears once
when training ends, either way. A status we do not know is stored without a post.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks.replicas import REASON_MAX, failed_message, trained_message
from bot.blocks.text import as_text, truncate
from bot.domain import replicas as domain
from bot.events.base import REFRESH_PARENT, REFRESH_PROGRESS, Interpretation, Polled, reply
from bot.events.by_status import stalled, status_of, unreadable
from bot.tavus import NotFound, TavusClient
from bot.tavus.models import progress_percent
from storage import Resource

# Training takes hours; one that has not moved for this long is not coming back.
STALLED_GIVE_UP_SECONDS = 24 * 3600

Body = Mapping[str, Any]


def interpret_replica(resource: Resource, body: Body) -> Interpretation:
    status = domain.status_of(body.get("status"))
    if status == domain.TRAINING:
        return _training(body)
    if status == domain.READY:
        return _ready(resource, body)
    if status == domain.ERROR:
        return _error(body)
    return _unknown(body)


def _training(body: Body) -> Interpretation:
    progress = _progress(body)
    key = domain.TRAINING if progress is None else f"{domain.TRAINING}:{progress}"
    return Interpretation(
        dedup_key=key,
        event_type=domain.EVENT_PREFIX + domain.TRAINING,
        status=domain.TRAINING,
        details={} if progress is None else {"progress": progress},
        drafts=(REFRESH_PROGRESS,),
    )


def _ready(resource: Resource, body: Body) -> Interpretation:
    # Named as the card names it: a callback carries no name, and the thread must read the
    # same whether the callback or a poll came first.
    replica_id = resource.tavus_id or as_text(body.get(domain.ID_KEY))
    text, blocks = trained_message(replica_id, resource.name)
    details: dict[str, Any] = {"progress": 100}
    thumbnail = body.get("thumbnail_video_url")
    if isinstance(thumbnail, str) and thumbnail:
        details["thumbnail_video_url"] = thumbnail
    return Interpretation(
        dedup_key=domain.READY,
        event_type=domain.EVENT_PREFIX + domain.READY,
        status=domain.READY,
        details=details,
        drafts=(reply(text, blocks), REFRESH_PARENT),
        # The start form's replica picker lists ready replicas: this one is new there.
        stale_choices=frozenset({domain.READY_CHOICES_KEY}),
    )


def _error(body: Body) -> Interpretation:
    error = body.get("error_message")
    text, blocks = failed_message(error)
    stored = None if error is None else truncate(as_text(error), REASON_MAX)
    return Interpretation(
        dedup_key=domain.ERROR,
        event_type=domain.EVENT_PREFIX + domain.ERROR,
        status=domain.ERROR,
        details={"error_message": stored},
        drafts=(reply(text, blocks), REFRESH_PARENT),
    )


def _unknown(body: Body) -> Interpretation:
    return unreadable(domain.UNKNOWN, status_of(body), body)


def _progress(body: Body) -> int | None:
    """`training_progress` ("40/100") as a percentage; a number is read as one too."""
    raw = body.get("training_progress")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        raw = str(raw)
    return progress_percent(raw) if isinstance(raw, str) and len(raw) < 40 else None


# -- polling ------------------------------------------------------------------------------


async def poll_replica(tavus: TavusClient, resource: Resource) -> Polled:
    """The replica as GET sees it, handed over as if Tavus had called back with it."""
    assert resource.tavus_id is not None
    try:
        replica = await tavus.replicas.get(resource.tavus_id)
    except NotFound:
        return Polled(gone=True)
    return Polled(bodies=(replica.raw,), remote_status=replica.status)


def replica_finished(
    resource: Resource, seen: frozenset[str], polled: Polled | None, now: float
) -> bool:
    """Trained, failed or deleted; or stalled so long that nothing more will come."""
    return resource.status in domain.FINISHED or stalled(resource, now, STALLED_GIVE_UP_SECONDS)
