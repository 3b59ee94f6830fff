"""Training a replica: the shared start sequence (``bot.jobs``) with a training's details.

Used by the "Train a replica" modal. Training takes hours; the card shows its progress and
the thread says when it is trained, or why it failed (``bot.events.replicas``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain import replicas as domain
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.tavus import Replica, ReplicaProperties


@dataclass(frozen=True)
class TrainRequest:
    team_id: str
    user_id: str
    channel_id: str | None  # None: the card goes to the user's DM
    train_video_url: str | None = None
    train_image_url: str | None = None
    voice_name: str | None = None
    consent_video_url: str | None = None
    name: str | None = None
    model_name: str | None = None
    auto_fix_image: bool = False
    green_screen: bool = False


async def train_replica(services: Services, request: TrainRequest) -> JobStarted:
    """Raises TavusError when Tavus refuses (nothing is kept), or jobs.OutcomeUnknown."""

    async def create(callback_url: str | None) -> Created:
        replica = await services.tavus.replicas.create(
            train_video_url=request.train_video_url,
            train_image_url=request.train_image_url,
            voice_name=request.voice_name,
            consent_video_url=request.consent_video_url,
            replica_name=request.name,
            model_name=request.model_name,
            callback_url=callback_url,
            auto_fix_training_image=request.auto_fix_image or None,
            properties=_properties(request),
        )
        return _created(replica, request)

    return await start_job(
        services,
        kind=domain.KIND,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        create=create,
        name=request.name,
    )


def _properties(request: TrainRequest) -> ReplicaProperties | None:
    return {"background_green_screen": True} if request.green_screen else None


def _created(replica: Replica, request: TrainRequest) -> Created:
    status = domain.status_of(replica.status) or domain.TRAINING
    return Created(
        tavus_id=replica.replica_id,
        status=status,
        name=replica.replica_name or request.name,
        details=_details(replica, request),
        finished=status in domain.FINISHED,
    )


def _details(replica: Replica, request: TrainRequest) -> dict[str, Any]:
    """What the card shows beside the state; the training URLs stay out of Slack."""
    return {
        "source": "image" if request.train_image_url else "video",
        "voice_name": request.voice_name,
        "consent_video": request.consent_video_url is not None,
        "model_name": replica.model_name or request.model_name,
        "progress": replica.progress_percent or 0,
    }
