"""``/tavus call`` and the "Start a conversation" modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import start_modal as modal
from bot.blocks.pickers import REPLICA_PICKER
from bot.blocks.text import link
from bot.conversations import (
    DEFAULT_MAX_CALL_SECONDS,
    DEFAULT_PARTICIPANT_LEFT_SECONDS,
    PREF_PERSONA,
    PREF_REPLICA,
    StartRequest,
    resolve_defaults,
    start_conversation,
)
from bot.grammar import looks_like
from bot.jobs import card_place
from bot.services import Services
from bot.tavus import TavusError
from handlers.shared.families import CommandRequest
from handlers.shared.pickers import UNAVAILABLE, answer_for
from handlers.shared.replies import tavus_refused
from handlers.shared.starting import defaults_hint, run_in_modal, team_of, where_the_card_went

logger = logging.getLogger(__name__)


async def handle_call(request: CommandRequest) -> None:
    persona_arg, replica_arg = split_call_ids(request.command.words)
    services = request.services
    persona, replica = await resolve_defaults(
        services,
        team_id=request.team_id,
        user_id=request.user_id,
        persona_id=persona_arg,
        replica_id=replica_arg,
    )
    context = request.command.text or None
    if persona is None:
        await open_start_modal(
            services.slack, request.trigger_id, request.channel_id, replica, context
        )
        return
    flags = request.command.flags
    call = StartRequest(
        team_id=request.team_id,
        user_id=request.user_id,
        channel_id=request.channel_id,
        persona_id=persona,
        replica_id=replica,
        context=context,
        audio_only="--audio" in flags,
        test_mode="--test" in flags,
    )
    try:
        started = await start_conversation(services, call)
    except TavusError as exc:
        untyped = {PREF_PERSONA: None if persona_arg else persona}
        untyped[PREF_REPLICA] = None if replica_arg else replica
        hint = await defaults_hint(
            services, team_id=request.team_id, user_id=request.user_id, used=untyped, exc=exc
        )
        await request.say_privately(tavus_refused(exc) + hint)
        return
    place = await card_place(services, started)
    url = str(started.resource.details.get("conversation_url") or "")
    join = f"\nYour join link: {link(url, url)}" if url else ""
    note = where_the_card_went(place, "call", extra=join)
    if note:
        await request.say_privately(note)


async def handle_new(request: CommandRequest) -> None:
    """`/tavus conversation new`: the "Start a conversation" form."""
    await open_start_modal(request.services.slack, request.trigger_id, request.channel_id)


def split_call_ids(words: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The persona and replica ids the grammar found, in either order."""
    persona = next((w for w in words if looks_like("persona", w)), None)
    replica = next((w for w in words if looks_like("replica", w)), None)
    return persona, replica


async def open_start_modal(
    slack: AsyncWebClient,
    trigger_id: str,
    channel_id: str | None,
    replica_id: str | None = None,
    context: str | None = None,
    *,
    persona_id: str | None = None,
) -> None:
    view = modal.start_modal(
        channel_id=channel_id,
        persona_id=persona_id,
        replica_id=replica_id,
        context=context,
        max_call_duration=DEFAULT_MAX_CALL_SECONDS,
        participant_left_timeout=DEFAULT_PARTICIPANT_LEFT_SECONDS,
    )
    await slack.views_open(trigger_id=trigger_id, view=view)


def validate(form: modal.StartForm) -> dict[str, str]:
    """Field errors keyed by block_id, shown inline by Slack."""
    errors = {}
    if not form.persona_id or form.persona_id == UNAVAILABLE:
        errors[modal.B_PERSONA] = "Choose a persona."
    if form.replica_id == UNAVAILABLE:
        errors[modal.B_REPLICA] = "Choose a replica, or leave it empty for the persona's own."
    if not form.channel_id:
        errors[modal.B_CHANNEL] = "Choose where to post the join link."
    for block, value, limit in (
        (modal.B_DURATION, form.max_call_duration, modal.MAX_DURATION_LIMIT),
        (modal.B_LEFT_TIMEOUT, form.participant_left_timeout, modal.LEFT_TIMEOUT_LIMIT),
    ):
        if value is not None and not (
            value.isascii() and value.isdigit() and 0 < int(value) <= limit
        ):
            errors[block] = f"A whole number of seconds from 1 to {limit}."
    if form.context and len(form.context) > modal.CONTEXT_LIMIT:
        errors[modal.B_CONTEXT] = f"Keep the context under {modal.CONTEXT_LIMIT:,} characters."
    return errors


async def handle_start_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    form = modal.read_start_form(view["state"]["values"])
    errors = validate(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=modal.starting_view())
    request = _start_request(form, team_id=team_of(body), user_id=body["user"]["id"])
    await run_in_modal(
        client,
        view["id"],
        kind="conversation",
        start=lambda: start_conversation(services, request),
        services=services,
        done=lambda started, place: modal.started_view(
            channel_id=place.channel or request.channel_id,
            conversation_url=str(started.resource.details.get("conversation_url") or ""),
            in_channel=place.moved_because is None,
        ),
    )


async def handle_replica_options(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    """A replica picker under another action id (the video form's): the shared ready list."""
    await answer_for(ack, services, REPLICA_PICKER, str(body.get("value") or ""))


def _start_request(form: modal.StartForm, *, team_id: str, user_id: str) -> StartRequest:
    return StartRequest(
        team_id=team_id,
        user_id=user_id,
        channel_id=form.channel_id or user_id,
        persona_id=form.persona_id,
        replica_id=form.replica_id,
        context=form.context,
        name=form.name,
        greeting=form.greeting,
        audio_only=form.audio_only,
        test_mode=form.test_mode,
        max_call_duration=int(form.max_call_duration or DEFAULT_MAX_CALL_SECONDS),
        participant_left_timeout=int(
            form.participant_left_timeout or DEFAULT_PARTICIPANT_LEFT_SECONDS
        ),
        language=form.language,
        document_tags=form.document_tags,
        retrieval_strategy=form.retrieval_strategy,
    )
