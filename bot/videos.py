"""Generating a video: the shared start sequence (``bot.jobs``) with a video's details.

Shared by ``/tavus video``, the "Generate a video" modal and the shortcuts. The checks a form
makes before any Tavus call (``http_url``, ``has_extension``) live here too.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.domain import videos as domain
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.tavus import TavusError, Video

logger = logging.getLogger(__name__)

NAME_LOOKUP_TIMEOUT_SECONDS = 2.0
# The card shows the start of the script; the whole of it is Tavus's to keep.
SCRIPT_KEPT_MAX = 500


@dataclass(frozen=True)
class VideoRequest:
    team_id: str
    user_id: str
    channel_id: str
    replica_id: str
    script: str | None = None
    audio_url: str | None = None
    name: str | None = None
    background_url: str | None = None  # a website, recorded as the background
    background_source_url: str | None = None  # a video file used as the background
    fast: bool = False
    transparent_background: bool = False
    watermark_image_url: str | None = None
    thread_ts: str | None = None  # the message the video answers (a message shortcut)


def http_url(value: str | None) -> bool:
    """An absolute http(s) URL with a host and no spaces: what Tavus can fetch."""
    if not value or any(char.isspace() for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def has_extension(url: str, extensions: tuple[str, ...]) -> bool:
    """Judged on the path, so a signed URL's query string does not hide the file type."""
    try:
        return urlsplit(url).path.lower().endswith(extensions)
    except ValueError:
        return False


async def start_video(services: Services, request: VideoRequest) -> JobStarted:
    """Raises TavusError when Tavus refuses (nothing is kept), or jobs.OutcomeUnknown."""

    async def create(callback_url: str | None) -> Created:
        video, replica_name = await asyncio.gather(
            _generate(services, request, callback_url), _replica_name(services, request)
        )
        return _created(video, request, replica_name)

    return await start_job(
        services,
        kind=domain.KIND,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        create=create,
        name=request.name,
        thread_ts=request.thread_ts,
    )


async def _generate(services: Services, request: VideoRequest, callback_url: str | None) -> Video:
    return await services.tavus.videos.generate(
        replica_id=request.replica_id,
        script=request.script,
        audio_url=request.audio_url,
        video_name=request.name,
        background_url=request.background_url,
        background_source_url=request.background_source_url,
        fast=request.fast or None,
        transparent_background=request.transparent_background or None,
        watermark_image_url=request.watermark_image_url,
        callback_url=callback_url,
    )


def _created(video: Video, request: VideoRequest, replica_name: str | None) -> Created:
    status = video.status if video.status in domain.LIFECYCLE.statuses else domain.QUEUED
    details: dict[str, Any] = {
        "replica_id": video.replica_id or request.replica_id,
        "replica_name": replica_name,
        "script": (request.script or "")[:SCRIPT_KEPT_MAX] or None,
        "audio_url": request.audio_url,
        "fast": request.fast,
        "transparent": request.transparent_background,
        "hosted_url": video.hosted_url,
        "started_at": video.created_at,
    }
    return Created(
        tavus_id=video.video_id,
        status=status,
        name=video.video_name or request.name,
        details={key: value for key, value in details.items() if value is not None},
        finished=status in domain.FINAL,
    )


async def _replica_name(services: Services, request: VideoRequest) -> str | None:
    """For the card; a bare id if Tavus is slow to say."""
    try:
        replica = await asyncio.wait_for(
            services.tavus.replicas.get(request.replica_id), NAME_LOOKUP_TIMEOUT_SECONDS
        )
    except (TavusError, TimeoutError, ValueError) as exc:  # ValueError: not an id
        logger.info("could not name the replica for a video card: %r", exc)
        return None
    return replica.replica_name
