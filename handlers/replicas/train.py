"""`/tavus replica train` and the "Train a replica" modal: checked whole before Tavus hears."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import train_modal as modal
from bot.blocks.conversations import channel_mention, join_url
from bot.blocks.pickers import VOICE_PICKER
from bot.replicas import TrainRequest, train_replica
from bot.services import Services
from bot.tavus.models import REPLICA_MODEL_NAMES
from handlers.shared.families import CommandRequest
from handlers.shared.pickers import UNAVAILABLE, answer_for
from handlers.shared.starting import run_in_modal, team_of

logger = logging.getLogger(__name__)

_URL_ERROR = "A link that starts with https:// (or http://), with no spaces."


async def handle_train(request: CommandRequest) -> None:
    await open_train_modal(request.services.slack, request.trigger_id, request.channel_id)


async def open_train_modal(slack: AsyncWebClient, trigger_id: str, channel_id: str | None) -> None:
    """From a channel, the card goes there unless changed; from a DM or App Home, to a DM."""
    await slack.views_open(trigger_id=trigger_id, view=modal.train_modal(channel_id=channel_id))


def validate(form: modal.TrainForm) -> dict[str, str]:
    """Field errors keyed by block_id, shown inline by Slack; empty when Tavus may be asked."""
    errors = _url_errors(form)
    video, image = form.train_video_url, form.train_image_url
    if video is None and image is None:
        errors[modal.B_VIDEO] = "Give a training video URL, or a training image URL below."
    elif video is not None and image is not None:
        errors.setdefault(modal.B_IMAGE, "Give a video URL or an image URL, not both.")
    if error := _voice_error(form):
        errors[modal.B_VOICE] = error
    if form.auto_fix_image and image is None:
        errors[modal.B_OPTIONS] = "Fixing the image applies to training from an image only."
    if form.model_name not in REPLICA_MODEL_NAMES:
        errors[modal.B_MODEL] = "Choose a model."
    if form.replica_name is not None and len(form.replica_name) > modal.NAME_LIMIT:
        errors[modal.B_NAME] = f"Keep the name under {modal.NAME_LIMIT} characters."
    if form.channel_id is not None and channel_mention(form.channel_id) is None:
        errors[modal.B_CHANNEL] = "Choose a channel, or leave it empty for a direct message."
    return errors


def _url_errors(form: modal.TrainForm) -> dict[str, str]:
    urls = (
        (modal.B_VIDEO, form.train_video_url),
        (modal.B_IMAGE, form.train_image_url),
        (modal.B_CONSENT, form.consent_video_url),
    )
    return {block: _URL_ERROR for block, url in urls if url is not None and not join_url(url)}


def _voice_error(form: modal.TrainForm) -> str | None:
    video, image, voice = form.train_video_url, form.train_image_url, form.voice_name
    if voice == UNAVAILABLE:
        return "Choose a voice from the list."
    if video is not None and image is not None:
        return None  # which one to keep comes first
    if video is not None and voice is not None:
        return "A replica trained from a video speaks with the video's voice: clear this."
    if image is not None and voice is None:
        return "Choose a voice: a replica trained from an image speaks with a stock voice."
    return None


async def handle_train_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    form = modal.read_train_form(view["state"]["values"])
    errors = validate(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=modal.training_view())
    request = _train_request(form, team_id=team_of(body), user_id=body["user"]["id"])
    await run_in_modal(
        client,
        view["id"],
        kind="replica",
        start=lambda: train_replica(services, request),
        services=services,
        done=lambda _, place: modal.started_view(
            channel_id=place.channel or request.channel_id, moved=place.moved_because is not None
        ),
    )


def _train_request(form: modal.TrainForm, *, team_id: str, user_id: str) -> TrainRequest:
    return TrainRequest(
        team_id=team_id,
        user_id=user_id,
        channel_id=form.channel_id,
        train_video_url=form.train_video_url,
        train_image_url=form.train_image_url,
        voice_name=form.voice_name,
        consent_video_url=form.consent_video_url,
        name=form.replica_name,
        model_name=form.model_name,
        auto_fix_image=form.auto_fix_image,
        green_screen=form.green_screen,
    )


async def handle_voice_options(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    """The form's voice picker, under its own action id: the shared stock-voice list."""
    await answer_for(ack, services, VOICE_PICKER, str(body.get("value") or ""))
