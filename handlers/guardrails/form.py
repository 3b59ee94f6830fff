"""`/tavus guardrail new|edit` and the guardrails form: checked whole before Tavus hears."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import guardrail_modal as modal
from bot.blocks.guardrail_modal import GuardrailFields, GuardrailsForm, block_id
from bot.blocks.objective_modal import Setup, loading_view, not_saved_view
from bot.blocks.objectives import saved_text
from bot.domain import guardrails as domain
from bot.guardrails import (
    GuardrailDraft,
    GuardrailsRequest,
    create_guardrails,
    edit_guardrails,
    shape_of,
)
from bot.objectives import LIST_SHAPE
from bot.services import Services
from bot.tavus import TavusError
from handlers.shared.families import CommandRequest
from handlers.shared.permissions import refusal
from handlers.shared.starting import run_in_modal, team_of

logger = logging.getLogger(__name__)


async def handle_new(request: CommandRequest) -> None:
    setup = Setup(channel_id=request.channel_id or None)
    view = modal.guardrails_modal(setup)
    await request.services.slack.views_open(trigger_id=request.trigger_id, view=view)


async def handle_edit(request: CommandRequest) -> None:
    """The form, filled with the set as Tavus has it (the owner or an admin only)."""
    services, guardrails_id = request.services, request.command.words[0]
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=guardrails_id, user_id=request.user_id, verb="edit"
    )
    if refused:
        await request.say_privately(refused)
        return
    # Slack's trigger lasts three seconds: the form opens at once and fills when Tavus answers.
    opened = await services.slack.views_open(
        trigger_id=request.trigger_id, view=loading_view("Edit guardrails")
    )
    view_id = str(opened["view"]["id"])
    try:
        found = await services.tavus.guardrails.get(guardrails_id)
    except TavusError as exc:
        await services.slack.views_update(view_id=view_id, view=not_saved_view(exc.user_message))
        return
    if len(found.guardrails) > domain.MAX_GUARDRAILS:
        reason = f"This set has over {domain.MAX_GUARDRAILS} guardrails, more than the form holds."
        await services.slack.views_update(view_id=view_id, view=not_saved_view(reason))
        return
    setup = Setup(
        channel_id=request.channel_id or None,
        count=max(len(found.guardrails), 1),
        editing=guardrails_id,
        growable=shape_of(found) == LIST_SHAPE,
    )
    filled = [GuardrailFields.of(guardrail) for guardrail in found.guardrails]
    view = modal.guardrails_modal(setup, filled, set_name=found.name)
    await services.slack.views_update(view_id=view_id, view=view)


async def handle_add(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    """ "Add a guardrail": the same form, one guardrail longer, what was typed kept."""
    await ack()
    view = body.get("view") or {}
    setup = Setup.parse(view.get("private_metadata"), most=domain.MAX_GUARDRAILS)
    if not setup.growable:
        return
    values = (view.get("state") or {}).get("values") or {}
    typed = modal.read_guardrails(values, setup.count)
    grown = modal.guardrails_modal(
        setup.grown(domain.MAX_GUARDRAILS), typed.guardrails, set_name=typed.set_name
    )
    try:
        await client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=grown)
    except SlackApiError as exc:  # submitted or closed meanwhile: nothing left to grow
        logger.info("could not add a guardrail to the form: %s", exc.response.get("error"))


async def handle_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    setup = Setup.parse(view.get("private_metadata"), most=domain.MAX_GUARDRAILS)
    form = modal.read_guardrails(view["state"]["values"], setup.count)
    drafts, errors = check(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    name = form.set_name or ""
    user_id = str(body["user"]["id"])
    if setup.editing is not None:
        await ack(response_action="update", view=modal.saving_view())
        await _save(client, str(view["id"]), services, setup.editing, name, drafts, user_id)
        return
    await ack(response_action="update", view=modal.creating_view())
    request = GuardrailsRequest(
        team_id=team_of(body),
        user_id=user_id,
        channel_id=setup.channel_id,
        name=name,
        guardrails=tuple(drafts),
    )
    relayed = services.settings.public_url is not None
    await run_in_modal(
        client,
        str(view["id"]),
        kind=domain.KIND,
        start=lambda: create_guardrails(services, request),
        services=services,
        done=lambda started, _: modal.created_view(
            str(started.resource.tavus_id), [d.name for d in drafts], relayed=relayed
        ),
    )


async def _save(
    client: AsyncWebClient,
    view_id: str,
    services: Services,
    guardrails_id: str,
    name: str,
    drafts: Sequence[GuardrailDraft],
    user_id: str,
) -> None:
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=guardrails_id, user_id=user_id, verb="edit"
    )
    if refused:
        await client.views_update(view_id=view_id, view=not_saved_view(refused, escaped=True))
        return
    try:
        edited = await edit_guardrails(services, guardrails_id, name, drafts)
    except (TavusError, ValueError) as exc:
        reason = exc.user_message if isinstance(exc, TavusError) else str(exc)
        await client.views_update(view_id=view_id, view=not_saved_view(reason))
        return
    logger.info("user %s edited guardrails %s", user_id, guardrails_id)
    text = saved_text("guardrails", guardrails_id, edited.changes)
    await client.views_update(view_id=view_id, view=modal.saved_view(text))


# -- checking the form -----------------------------------------------------------------------


def check(form: GuardrailsForm) -> tuple[list[GuardrailDraft], dict[str, str]]:
    """The guardrails to send, or inline errors keyed by block_id (Slack shows them)."""
    errors: dict[str, str] = {}
    if form.set_name is None:
        errors[modal.SET_NAME] = "Give the set a name."
    elif len(form.set_name) > domain.SET_NAME_MAX:
        errors[modal.SET_NAME] = f"Keep the name under {domain.SET_NAME_MAX} characters."
    kept = [(index, found) for index, found in enumerate(form.guardrails) if not found.blank]
    if not kept:
        errors[block_id(0, modal.NAME)] = "Give at least one guardrail a name and a prompt."
    seen: set[str] = set()
    drafts = []
    for index, found in kept:
        draft = _draft(index, found, seen, errors)
        if draft is not None:
            drafts.append(draft)
        if found.name is not None:
            seen.add(found.name)
    return (drafts, {}) if not errors else ([], errors)


def _draft(
    index: int, found: GuardrailFields, seen: set[str], errors: dict[str, str]
) -> GuardrailDraft | None:
    before = len(errors)
    name_error = _name_error(found.name, seen)
    if name_error:
        errors[block_id(index, modal.NAME)] = name_error
    if found.prompt is None:
        errors[block_id(index, modal.PROMPT)] = "Give this guardrail a prompt: what not to do."
    elif len(found.prompt) > domain.PROMPT_MAX:
        errors[block_id(index, modal.PROMPT)] = f"At most {domain.PROMPT_MAX} characters."
    modality = found.modality or domain.MODALITIES[0]
    if modality not in domain.MODALITIES:
        errors[block_id(index, modal.MODALITY)] = "Choose a modality."
    if len(errors) > before or found.name is None or found.prompt is None:
        return None
    return GuardrailDraft(name=found.name, prompt=found.prompt, modality=modality)


def _name_error(name: str | None, seen: set[str]) -> str | None:
    if name is None:
        return "Give this guardrail a name."
    if not domain.NAME_PATTERN.fullmatch(name):
        return "Letters, digits and underscores only, like no_medical_advice."
    if len(name) > domain.NAME_MAX:
        return f"Keep the name under {domain.NAME_MAX} characters."
    if name in seen:
        return "Another guardrail of this form has this name."
    return None
