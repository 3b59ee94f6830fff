"""``/tavus call`` and the "Start a conversation" modal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import start_modal as modal
from bot.blocks.text import link, plain
from bot.conversations import (
    DEFAULT_MAX_CALL_SECONDS,
    DEFAULT_PARTICIPANT_LEFT_SECONDS,
    StartRequest,
    resolve_defaults,
    start_conversation,
)
from bot.grammar import looks_like
from bot.services import Services
from bot.tavus import TavusError
from handlers.commands import CommandRequest

logger = logging.getLogger(__name__)

MAX_PICKER_OPTIONS = 100
PICKER_DEADLINE_SECONDS = 2.5
# The value of the one option shown when Tavus could not list anything.
UNAVAILABLE = "unavailable"
CARD_FAILED = (
    "Something went wrong after Tavus was asked to start the call, so it may exist without a "
    "card in Slack. Check `/tavus conversations active` before trying again."
)


async def handle_call(request: CommandRequest) -> None:
    persona_arg, replica_arg, context = split_call_words(request.command.words)
    services = request.services
    persona, replica = await resolve_defaults(
        services,
        team_id=request.team_id,
        user_id=request.user_id,
        persona_id=persona_arg,
        replica_id=replica_arg,
    )
    if persona is None:
        await open_start_modal(
            services.slack, request.trigger_id, request.channel_id, replica, context
        )
        return
    flags = request.command.flags
    started = await start_conversation(
        services,
        StartRequest(
            team_id=request.team_id,
            user_id=request.user_id,
            channel_id=request.channel_id,
            persona_id=persona,
            replica_id=replica,
            context=context,
            audio_only="--audio" in flags,
            test_mode="--test" in flags,
        ),
    )
    if not started.posted_in_channel:
        url = started.conversation_url
        await request.say_privately(
            "I am not in this channel, so I sent you the call card in a direct message. "
            "To post calls here, `/invite @Tavus` first."
            + (f"\nYour join link: {link(url, url)}" if url else "")
        )


def split_call_words(words: tuple[str, ...]) -> tuple[str | None, str | None, str | None]:
    """Leading persona and replica ids by shape, in either order; the rest is context."""
    persona = replica = None
    rest = list(words)
    while rest:
        if persona is None and looks_like("persona", rest[0]):
            persona = rest.pop(0)
        elif replica is None and looks_like("replica", rest[0]):
            replica = rest.pop(0)
        else:
            break
    return persona, replica, " ".join(rest) or None


async def open_start_modal(
    slack: AsyncWebClient,
    trigger_id: str,
    channel_id: str | None,
    replica_id: str | None = None,
    context: str | None = None,
) -> None:
    view = modal.start_modal(
        channel_id=channel_id,
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
        if value is not None and not (value.isdigit() and 0 < int(value) <= limit):
            errors[block] = f"A whole number of seconds from 1 to {limit}."
    if form.context and len(form.context) > 10_000:
        errors[modal.B_CONTEXT] = "Keep the context under 10,000 characters."
    return errors


def register(app: AsyncApp, services: Services) -> None:
    async def handle_start_submission(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        form = modal.read_start_form(view["state"]["values"])
        errors = validate(form)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack(response_action="update", view=modal.starting_view())
        user, team = (
            body["user"]["id"],
            body.get("team", {}).get("id") or body["user"].get("team_id", ""),
        )
        request = _start_request(form, team_id=team, user_id=user)
        try:
            started = await start_conversation(services, request)
        except TavusError as exc:
            await client.views_update(view_id=view["id"], view=modal.failed_view(exc.user_message))
            return
        except Exception:
            # A view submission has no response_url: the modal is the only place to say so.
            logger.exception("starting a conversation from the modal failed")
            await client.views_update(view_id=view["id"], view=modal.failed_view(CARD_FAILED))
            return
        result = modal.started_view(
            channel_id=started.card_channel or request.channel_id,
            conversation_url=started.conversation_url,
            in_channel=started.posted_in_channel,
        )
        await client.views_update(view_id=view["id"], view=result)

    async def handle_persona_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        async def load() -> list[tuple[str | None, str]]:
            page = await services.tavus.personas.list(limit=MAX_PICKER_OPTIONS)
            return [(p.persona_name, p.persona_id) for p in page.items]

        await _answer_picker(ack, load, str(body.get("value") or ""))

    async def handle_replica_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        async def load() -> list[tuple[str | None, str]]:
            page = await services.tavus.replicas.list(limit=MAX_PICKER_OPTIONS)
            return [(r.replica_name, r.replica_id) for r in page.items if r.is_ready]

        await _answer_picker(ack, load, str(body.get("value") or ""))

    app.view(modal.CALLBACK_ID)(handle_start_submission)
    app.options(modal.PERSONA_ACTION)(handle_persona_options)
    app.options(modal.REPLICA_ACTION)(handle_replica_options)


def matching_options(choices: Iterable[tuple[str | None, str]], typed: str) -> list[dict[str, Any]]:
    """Picker options whose name or id contains what the user typed."""
    typed = typed.lower()
    return [
        modal.option(plain(f"{name or tavus_id} ({tavus_id})", 75), tavus_id)
        for name, tavus_id in choices
        if typed in (name or "").lower() or typed in tavus_id
    ]


async def _answer_picker(
    ack: AsyncAck, load: Callable[[], Awaitable[list[tuple[str | None, str]]]], typed: str
) -> None:
    """Slack drops an options answer after 3 s, so a slow Tavus gets a note, not silence."""
    try:
        choices = await asyncio.wait_for(load(), PICKER_DEADLINE_SECONDS)
    except TavusError as exc:
        await ack(options=[modal.option(f"Tavus error: {exc.user_message}", UNAVAILABLE)])
        return
    except TimeoutError:
        await ack(options=[modal.option("Tavus is slow to answer: type to try again", UNAVAILABLE)])
        return
    await ack(options=matching_options(choices, typed))


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
