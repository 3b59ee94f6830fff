"""Video events: the whole video object, from a callback (ready, error) or a poll.

Tavus sends no event type for videos: the status is the event, and the state is the dedup
key (``ready``, ``error``, ``generating:40``), so a callback and a poll that saw the same
state are one event. Progress only refreshes the card; the thread hears of the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.blocks import videos as blocks
from bot.domain import videos as domain
from bot.events.base import REFRESH_PARENT, REFRESH_PROGRESS, Interpretation, Polled, reply
from bot.events.by_status import (
    reason_of,
    stalled,
    status_of,
    unreadable,
    url_of,
)
from bot.tavus import NotFound, TavusClient
from bot.tavus.models import progress_percent
from storage import Resource

Body = Mapping[str, Any]


# -- videos --------------------------------------------------------------------------------


def interpret_video(resource: Resource, body: Body) -> Interpretation:
    status = status_of(body)
    handler = _HANDLERS.get(status or "")
    if handler is None:
        return unreadable(domain.UNKNOWN, status, body)
    return handler(resource, body)


def _queued(resource: Resource, body: Body) -> Interpretation:
    return _progress(domain.QUEUED, domain.QUEUED, {})


def _generating(resource: Resource, body: Body) -> Interpretation:
    raw = body.get("generation_progress")
    percent = progress_percent(raw) if isinstance(raw, str) else None
    if percent is None:
        return _progress(domain.GENERATING, domain.GENERATING, {})
    return _progress(f"{domain.GENERATING}:{percent}", domain.GENERATING, {"progress": percent})


def _progress(key: str, status: str, details: dict[str, Any]) -> Interpretation:
    return Interpretation(
        dedup_key=key,
        event_type=domain.EVENT_PREFIX + status,
        status=status,
        details=details,
        drafts=(REFRESH_PROGRESS,),
    )


def _ready(resource: Resource, body: Body) -> Interpretation:
    links = {
        "hosted_url": url_of(body, "hosted_url"),
        "download_url": url_of(body, "download_url"),
        "stream_url": url_of(body, "stream_url"),
        # GET says so only when verbose, and `fast` videos have none.
        "thumbnail_url": url_of(body, "still_image_thumbnail_url", "thumbnail_image_url"),
    }
    details = {**{k: v for k, v in links.items() if v}, "progress": 100}
    if resource.status == domain.READY:
        return _late_thumbnail(resource, links["thumbnail_url"], details)
    text, message_blocks = blocks.ready_message(**links)
    return Interpretation(
        dedup_key=domain.READY,
        event_type=domain.EVENT_PREFIX + domain.READY,
        status=domain.READY,
        details=details,
        drafts=(reply(text, message_blocks), REFRESH_PARENT),
    )


def _late_thumbnail(
    resource: Resource, thumbnail: str | None, details: dict[str, Any]
) -> Interpretation:
    """The ready callback carries no thumbnail; the next (verbose) poll does: post it then,
    once. Any other word of "ready" once it is known is the same event again."""
    message = None if resource.details.get("thumbnail_url") else blocks.thumbnail_message(thumbnail)
    if message is None:
        return Interpretation(dedup_key=domain.READY, event_type=domain.EVENT_PREFIX + domain.READY)
    text, message_blocks = message
    return Interpretation(
        dedup_key=f"{domain.READY}:thumbnail",
        event_type=domain.EVENT_PREFIX + "thumbnail",
        details=details,
        drafts=(reply(text, message_blocks),),
    )


def _error(resource: Resource, body: Body) -> Interpretation:
    reason = reason_of(body, "status_details", "error_details", "error_message")
    text, message_blocks = blocks.error_message(reason)
    return Interpretation(
        dedup_key=domain.ERROR,
        event_type=domain.EVENT_PREFIX + domain.ERROR,
        status=domain.ERROR,
        details={"error": reason} if reason else {},
        drafts=(reply(text, message_blocks), REFRESH_PARENT),
    )


def _deleted(resource: Resource, body: Body) -> Interpretation:
    text, message_blocks = blocks.deleted_message()
    return Interpretation(
        dedup_key=domain.DELETED,
        event_type=domain.EVENT_PREFIX + domain.DELETED,
        status=domain.DELETED,
        drafts=(reply(text, message_blocks, update=True), REFRESH_PARENT),
    )


_HANDLERS: dict[str, Callable[[Resource, Body], Interpretation]] = {
    domain.QUEUED: _queued,
    domain.GENERATING: _generating,
    domain.READY: _ready,
    domain.ERROR: _error,
    domain.DELETED: _deleted,
}


# -- polling ------------------------------------------------------------------------------


async def poll_video(tavus: TavusClient, resource: Resource) -> Polled:
    """The video as GET shows it (verbose: with its thumbnails), read like a callback."""
    assert resource.tavus_id is not None
    try:
        video = await tavus.videos.get(resource.tavus_id, verbose=True)
    except NotFound:
        return Polled(gone=True)
    return Polled(bodies=(video.raw,), remote_status=video.status)


def video_finished(
    resource: Resource, seen: frozenset[str], polled: Polled | None, now: float
) -> bool:
    """Ready, failed or deleted: nothing more comes. A video stuck in the queue is let go."""
    return resource.status in domain.FINAL or stalled(resource, now)
