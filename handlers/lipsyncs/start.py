"""``/tavus lipsync <video_url> <audio_url> [name]`` and the "Lip-sync a video" modal."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import lipsync_modal as modal
from bot.blocks.video_modal import started_view
from bot.jobs import card_place
from bot.lipsyncs import LipsyncRequest, start_lipsync
from bot.services import Services
from handlers.shared.families import CommandRequest
from handlers.shared.starting import run_in_modal, team_of, where_the_card_went
from handlers.videos.start import url_problem

NAME_LIMIT = modal.NAME_LIMIT


async def handle_lipsync(request: CommandRequest) -> None:
    words = [unwrap_link(word) for word in request.command.words[:2]]
    video_url, audio_url = (words + [None, None])[:2]
    name = _name_after(request.command.text)
    if video_url is None or audio_url is None:
        view = modal.lipsync_modal(
            channel_id=request.channel_id, video_url=video_url, audio_url=audio_url, name=name
        )
        await request.services.slack.views_open(trigger_id=request.trigger_id, view=view)
        return
    for label, url in (("video", video_url), ("audio", audio_url)):
        if url_problem(url):
            await request.say_privately(
                f"The {label} must be an http(s) link: "
                "`/tavus lipsync &lt;video_url&gt; &lt;audio_url&gt; [name]`."
            )
            return
    if name and len(name) > NAME_LIMIT:
        await request.say_privately(f"Keep the name under {NAME_LIMIT} characters.")
        return
    lipsync = LipsyncRequest(
        team_id=request.team_id,
        user_id=request.user_id,
        channel_id=request.channel_id,
        original_video_url=video_url,
        source_audio_url=audio_url,
        name=name,
    )
    started = await start_lipsync(request.services, lipsync)
    note = where_the_card_went(await card_place(request.services, started), "lip-sync")
    if note:
        await request.say_privately(note)


def unwrap_link(word: str) -> str:
    """Slack may hand a typed URL over as `<https://…>` or `<https://…|label>`."""
    if word.startswith("<") and word.endswith(">"):
        return word[1:-1].split("|", 1)[0]
    return word


def _name_after(text: str) -> str | None:
    rest = text.split(maxsplit=2)
    return rest[2].strip() or None if len(rest) > 2 else None


def validate(form: modal.LipsyncForm) -> dict[str, str]:
    errors = {}
    for block, url, missing in (
        (modal.B_VIDEO, form.video_url, "Give the link of the video to lip-sync."),
        (modal.B_AUDIO, form.audio_url, "Give the link of the new audio."),
    ):
        problem = missing if url is None else url_problem(url)
        if problem:
            errors[block] = problem
    return errors


async def handle_lipsync_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    form = modal.read_lipsync_form(view["state"]["values"], view.get("private_metadata"))
    errors = validate(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=modal.starting_view())
    user = body["user"]["id"]
    assert form.video_url is not None and form.audio_url is not None
    request = LipsyncRequest(
        team_id=team_of(body),
        user_id=user,
        channel_id=form.channel_id or form.destination.channel_id or user,
        original_video_url=form.video_url,
        source_audio_url=form.audio_url,
        name=form.name,
    )
    await run_in_modal(
        client,
        view["id"],
        kind="lipsync",
        start=lambda: start_lipsync(services, request),
        services=services,
        done=lambda _, place: started_view(
            what="lip-sync",
            channel_id=place.channel or request.channel_id,
            in_thread=False,
            moved=place.moved_because is not None,
        ),
    )
