"""Lip-sync events: the lip-sync object, from its callback or a poll, read by its status.

Like videos, the status is the event and the state the dedup key; Tavus reports no progress
for a lip-sync, so the card says it is working until the result comes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.blocks import lipsyncs as blocks
from bot.domain import lipsyncs as domain
from bot.events.base import REFRESH_PARENT, REFRESH_PROGRESS, Interpretation, Polled, reply
from bot.events.by_status import (
    reason_of,
    stalled,
    status_of,
    unreadable,
    url_of,
)
from bot.tavus import NotFound, TavusClient
from storage import Resource

Body = Mapping[str, Any]


def interpret_lipsync(resource: Resource, body: Body) -> Interpretation:
    status = status_of(body)
    handler = _HANDLERS.get(status or "")
    if handler is None:
        return unreadable(domain.UNKNOWN, status, body)
    return handler(body)


def _started(body: Body) -> Interpretation:
    return Interpretation(
        dedup_key=domain.STARTED,
        event_type=domain.EVENT_PREFIX + domain.STARTED,
        status=domain.STARTED,
        drafts=(REFRESH_PROGRESS,),
    )


def _completed(body: Body) -> Interpretation:
    url = url_of(body, "video_url", "download_url")
    text, message_blocks = blocks.completed_message(url)
    return Interpretation(
        dedup_key=domain.COMPLETED,
        event_type=domain.EVENT_PREFIX + domain.COMPLETED,
        status=domain.COMPLETED,
        details={"video_url": url} if url else {},
        drafts=(reply(text, message_blocks), REFRESH_PARENT),
    )


def _error(body: Body) -> Interpretation:
    # `error_message` is not in the spec; the other keys are what Tavus's siblings use.
    reason = reason_of(body, "error_message", "status_details", "error", "message")
    text, message_blocks = blocks.error_message(reason)
    return Interpretation(
        dedup_key=domain.ERROR,
        event_type=domain.EVENT_PREFIX + domain.ERROR,
        status=domain.ERROR,
        details={"error": reason} if reason else {},
        drafts=(reply(text, message_blocks), REFRESH_PARENT),
    )


_HANDLERS: dict[str, Callable[[Body], Interpretation]] = {
    domain.STARTED: _started,
    domain.COMPLETED: _completed,
    domain.ERROR: _error,
}


async def poll_lipsync(tavus: TavusClient, resource: Resource) -> Polled:
    assert resource.tavus_id is not None
    try:
        lipsync = await tavus.lipsync.get(resource.tavus_id)
    except NotFound:
        return Polled(gone=True)
    return Polled(bodies=(lipsync.raw,), remote_status=lipsync.status)


def lipsync_finished(
    resource: Resource, seen: frozenset[str], polled: Polled | None, now: float
) -> bool:
    return resource.status in domain.FINAL or stalled(resource, now)
