"""``/tavus video`` and the "Generate a video" modal (the shortcuts open it too)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import video_modal as modal
from bot.conversations import PREF_REPLICA, resolve_defaults
from bot.domain.videos import AUDIO_EXTENSIONS, WATERMARK_EXTENSIONS
from bot.grammar import Command, looks_like
from bot.jobs import card_place
from bot.services import Services
from bot.tavus import TavusError
from bot.videos import VideoRequest, has_extension, http_url, start_video
from handlers.shared.families import CommandRequest
from handlers.shared.pickers import UNAVAILABLE
from handlers.shared.replies import tavus_refused
from handlers.shared.starting import defaults_hint, run_in_modal, team_of, where_the_card_went

logger = logging.getLogger(__name__)

NOT_A_URL = "An http(s) link, like {example}."

View = dict[str, Any]


async def handle_video(request: CommandRequest) -> None:
    replica_arg, script = split_video_text(request.command)
    services = request.services
    _, replica = await resolve_defaults(
        services,
        team_id=request.team_id,
        user_id=request.user_id,
        persona_id=None,
        replica_id=replica_arg,
    )
    if not script or replica is None:
        await open_video_modal(
            services.slack,
            request.trigger_id,
            channel_id=request.channel_id,
            replica_id=replica,
            script=script or None,
        )
        return
    video = VideoRequest(
        team_id=request.team_id,
        user_id=request.user_id,
        channel_id=request.channel_id,
        replica_id=replica,
        script=script,
    )
    try:
        started = await start_video(services, video)
    except TavusError as exc:
        untyped = {} if replica_arg else {PREF_REPLICA: replica}
        hint = await defaults_hint(
            services, team_id=request.team_id, user_id=request.user_id, used=untyped, exc=exc
        )
        await request.say_privately(tavus_refused(exc) + hint)
        return
    note = where_the_card_went(await card_place(services, started), "video")
    if note:
        await request.say_privately(note)


def split_video_text(command: Command) -> tuple[str | None, str]:
    """The replica id, when the first word is one, and the script after it as typed."""
    if command.words and looks_like("replica", command.words[0]):
        rest = command.text.split(maxsplit=1)
        return command.words[0], rest[1].strip() if len(rest) > 1 else ""
    return None, command.text.strip()


async def open_video_modal(
    slack: AsyncWebClient,
    trigger_id: str,
    *,
    channel_id: str | None,
    replica_id: str | None = None,
    script: str | None = None,
    thread_ts: str | None = None,
) -> None:
    view = modal.video_modal(
        channel_id=channel_id, thread_ts=thread_ts, replica_id=replica_id, script=script
    )
    await slack.views_open(trigger_id=trigger_id, view=view)


# -- the modal ------------------------------------------------------------------------------


def validate(form: modal.VideoForm) -> dict[str, str]:
    """Field errors keyed by block_id, shown inline by Slack; no Tavus call until none."""
    errors: dict[str, str] = {}
    if not form.replica_id or form.replica_id == UNAVAILABLE:
        errors[modal.B_REPLICA] = "Choose a replica."
    if form.script and form.audio_url:
        errors[modal.B_AUDIO] = "Give a script or an audio URL, not both."
    elif not form.script and not form.audio_url:
        errors[modal.B_SCRIPT] = "Write a script, or give an audio URL below."
    checks = (
        (modal.B_AUDIO, form.audio_url, AUDIO_EXTENSIONS, "a .wav or .mp3 file"),
        (modal.B_BACKGROUND_URL, form.background_url, (), ""),
        (modal.B_BACKGROUND_VIDEO, form.background_source_url, (), ""),
        (modal.B_WATERMARK, form.watermark_image_url, WATERMARK_EXTENSIONS, "a .png or .jpeg"),
    )
    for block, url, extensions, kind in checks:
        problem = url_problem(url, extensions, kind)
        if problem:
            errors.setdefault(block, problem)
    if form.background_url and form.background_source_url:
        errors.setdefault(
            modal.B_BACKGROUND_VIDEO, "Choose one background: a website or a video, not both."
        )
    if form.transparent_background and not form.fast:
        errors[modal.B_OPTIONS] = "A transparent background needs fast rendering: tick both."
    return errors


def url_problem(url: str | None, extensions: tuple[str, ...] = (), kind: str = "") -> str | None:
    if url is None:
        return None
    if not http_url(url):
        return NOT_A_URL.format(example="https://example.com/file")
    if extensions and not has_extension(url, extensions):
        return f"Tavus takes {kind} here."
    return None


async def handle_video_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    form = modal.read_video_form(view["state"]["values"], view.get("private_metadata"))
    errors = validate(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=modal.starting_view())
    request = video_request(form, team_id=team_of(body), user_id=body["user"]["id"])
    await run_in_modal(
        client,
        view["id"],
        kind="video",
        start=lambda: start_video(services, request),
        services=services,
        done=lambda _, place: modal.started_view(
            what="video",
            channel_id=place.channel or request.channel_id,
            in_thread=request.thread_ts is not None,
            moved=place.moved_because is not None,
        ),
    )


def video_request(form: modal.VideoForm, *, team_id: str, user_id: str) -> VideoRequest:
    assert form.replica_id is not None
    where = form.destination
    if where.thread_ts and where.channel_id:
        channel, thread = where.channel_id, where.thread_ts
    else:
        channel, thread = form.channel_id or where.channel_id or user_id, None
    return VideoRequest(
        team_id=team_id,
        user_id=user_id,
        channel_id=channel,
        replica_id=form.replica_id,
        script=form.script,
        audio_url=form.audio_url,
        name=form.name,
        background_url=form.background_url,
        background_source_url=form.background_source_url,
        fast=form.fast,
        transparent_background=form.transparent_background,
        watermark_image_url=form.watermark_image_url,
        thread_ts=thread,
    )
