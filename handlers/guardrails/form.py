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
from bot.blocks.objective_modal import LEFT_OUT, Setup, loading_view, not_saved_view
from bot.blocks.objectives import saved_text
from bot.domain import guardrails as domain
from bot.guardrails import (
    GuardrailDraft,
    GuardrailSlot,
    GuardrailsRequest,
    create_guardrails,
    edit_guardrails,
    set_name,
    shape_of,
    version,
)
from bot.objectives import LIST_SHAPE, SetChanged
from bot.services import Services
from bot.tavus import GuardrailSet, TavusError
from handlers.objectives.submitting import Errors, Send, View, first_input, submit_edit
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
        version=version(found),
    )
    filled = [GuardrailFields.of(GuardrailDraft.of(guardrail)) for guardrail in found.guardrails]
    name = set_name(found)
    view = modal.guardrails_modal(
        setup, filled, set_name=name, set_name_left_out=modal.set_name_left_out(name)
    )
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
        setup.grown(domain.MAX_GUARDRAILS),
        typed.guardrails,
        set_name=typed.set_name,
        set_name_left_out=LEFT_OUT if typed.set_name_left_out else None,
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
    user_id = str(body["user"]["id"])
    if setup.editing is not None:
        await _submit_edit(ack, view, client, services, setup, form, user_id)
        return
    name, slots, errors = check(form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    drafts = [slot.draft for slot in slots]
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


# -- saving an edit ----------------------------------------------------------------------------


def changed_words(guardrails_id: str) -> str:
    return (
        f"Guardrails {guardrails_id} changed in Tavus since you opened this form, so nothing "
        f"was sent. Close it and run /tavus guardrail edit {guardrails_id} again to see them "
        "as they are now."
    )


def expired_words(guardrails_id: str) -> str:
    return (
        f"This form is out of date, so nothing was sent: close it and run "
        f"/tavus guardrail edit {guardrails_id} again."
    )


async def _submit_edit(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
    setup: Setup,
    form: GuardrailsForm,
    user_id: str,
) -> None:
    """As for objectives (``handlers.objectives.form``): checked against the set as Tavus
    has it now, which must be the version the form opened on; only changes are sent."""
    guardrails_id, opened = str(setup.editing), setup.version

    def prepare(found: GuardrailSet) -> Errors | Send:
        if opened is None or version(found) != opened:
            words = expired_words if opened is None else changed_words
            return {first_input(view): words(guardrails_id)}
        shown = [GuardrailDraft.of(guardrail) for guardrail in found.guardrails]
        name, slots, errors = check(form, shown, set_name(found))
        if errors:
            return errors
        return lambda: _save(services, found, name, slots, user_id, opened)

    await submit_edit(
        ack,
        client,
        view,
        read=services.tavus.guardrails.get(guardrails_id),
        prepare=prepare,
        saving=modal.saving_view(),
        failed=not_saved_view,
    )


async def _save(
    services: Services,
    found: GuardrailSet,
    name: str,
    slots: Sequence[GuardrailSlot],
    user_id: str,
    opened: str,
) -> View:
    guardrails_id = found.guardrails_id
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=guardrails_id, user_id=user_id, verb="edit"
    )
    if refused:
        return not_saved_view(refused, escaped=True)
    try:
        edited = await edit_guardrails(services, found, name, slots, opened=opened)
    except SetChanged:
        return not_saved_view(changed_words(guardrails_id))
    except (TavusError, ValueError) as exc:
        return not_saved_view(exc.user_message if isinstance(exc, TavusError) else str(exc))
    logger.info("user %s edited guardrails %s", user_id, guardrails_id)
    return modal.saved_view(saved_text("guardrails", guardrails_id, edited.changes))


# -- checking the form -----------------------------------------------------------------------


def check(
    form: GuardrailsForm, shown: Sequence[GuardrailDraft] = (), shown_name: str | None = None
) -> tuple[str, list[GuardrailSlot], dict[str, str]]:
    """The set's name and the guardrails to send, each with its place in the form, or
    inline errors keyed by block_id (Slack shows them). ``shown``, ``shown_name``: what an
    edit form showed; a field it left out keeps that value, and a value it showed is not
    held to the form's limits (Tavus has it already)."""
    errors: dict[str, str] = {}
    name = shown_name if form.set_name_left_out and shown_name else form.set_name
    if name is None:
        errors[modal.SET_NAME] = "Give the set a name."
    elif len(name) > domain.SET_NAME_MAX and name != shown_name:
        errors[modal.SET_NAME] = f"Keep the name under {domain.SET_NAME_MAX} characters."
    kept = [
        (index, found, shown[index] if index < len(shown) else None)
        for index, found in enumerate(form.guardrails)
        if not found.blank
    ]
    if not kept:
        errors[block_id(0, modal.NAME)] = "Give at least one guardrail a name and a prompt."
    seen: set[str] = set()
    slots = []
    for index, found, before in kept:
        draft = _draft(index, found, before, seen, errors)
        if draft is not None:
            slots.append(GuardrailSlot(index, draft))
    return (name or "", slots, {}) if not errors else ("", [], errors)


def _kept(found: GuardrailFields, before: GuardrailDraft | None, field: str) -> bool:
    """Whether ``field`` was left out of the form: its value is the one Tavus has."""
    return before is not None and field in found.left_out


def _draft(
    index: int,
    found: GuardrailFields,
    before: GuardrailDraft | None,
    seen: set[str],
    errors: dict[str, str],
) -> GuardrailDraft | None:
    start = len(errors)
    name = before.name if before and _kept(found, before, modal.NAME) else found.name
    name_error = _name_error(name, seen, shown=before.name if before else None)
    if name_error:
        errors[block_id(index, modal.NAME)] = name_error
    if name is not None:
        seen.add(name)
    prompt = before.prompt if before and _kept(found, before, modal.PROMPT) else found.prompt
    if prompt is None:
        errors[block_id(index, modal.PROMPT)] = "Give this guardrail a prompt: what not to do."
    elif len(prompt) > domain.PROMPT_MAX and (before is None or prompt != before.prompt):
        errors[block_id(index, modal.PROMPT)] = f"At most {domain.PROMPT_MAX} characters."
    modality = _modality(index, found, before, errors)
    if len(errors) > start or name is None or prompt is None:
        return None
    return GuardrailDraft(name=name, prompt=prompt, modality=modality)


def _modality(
    index: int, found: GuardrailFields, before: GuardrailDraft | None, errors: dict[str, str]
) -> str:
    """One Tavus documents, or the one the form showed (kept as an option, or left out)."""
    shown = before.modality if before is not None else None
    if before is not None and _kept(found, before, modal.MODALITY):
        return before.modality
    modality = found.modality or domain.MODALITIES[0]
    if modality not in domain.MODALITIES and modality != shown:
        errors[block_id(index, modal.MODALITY)] = "Choose a modality."
    return modality


def _name_error(name: str | None, seen: set[str], *, shown: str | None) -> str | None:
    if name is None:
        return "Give this guardrail a name."
    if name in seen:
        return "Another guardrail of this form has this name."
    if name == shown:  # Tavus has it already
        return None
    if not domain.NAME_PATTERN.fullmatch(name):
        return "Letters, digits and underscores only, like no_medical_advice."
    if len(name) > domain.NAME_MAX:
        return f"Keep the name under {domain.NAME_MAX} characters."
    return None
