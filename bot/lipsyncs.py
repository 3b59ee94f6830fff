"""Lip-syncing a video to new audio: the shared start sequence with a lip-sync's details.

Shared by ``/tavus lipsync`` and the "Lip-sync a video" modal.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import lipsyncs as domain
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.tavus import Lipsync


@dataclass(frozen=True)
class LipsyncRequest:
    team_id: str
    user_id: str
    channel_id: str
    original_video_url: str
    source_audio_url: str
    name: str | None = None


async def start_lipsync(services: Services, request: LipsyncRequest) -> JobStarted:
    """Raises TavusError when Tavus refuses (nothing is kept), or jobs.OutcomeUnknown."""

    async def create(callback_url: str | None) -> Created:
        lipsync = await services.tavus.lipsync.create(
            original_video_url=request.original_video_url,
            source_audio_url=request.source_audio_url,
            lipsync_name=request.name,
            callback_url=callback_url,
        )
        return _created(lipsync, request)

    return await start_job(
        services,
        kind=domain.KIND,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        create=create,
        name=request.name,
    )


def _created(lipsync: Lipsync, request: LipsyncRequest) -> Created:
    status = lipsync.status if lipsync.status in domain.LIFECYCLE.statuses else domain.STARTED
    return Created(
        tavus_id=lipsync.lipsync_id,
        status=status,
        name=lipsync.lipsync_name or request.name,
        details={
            "original_video_url": request.original_video_url,
            "source_audio_url": request.source_audio_url,
        },
        finished=status in domain.FINAL,
    )
