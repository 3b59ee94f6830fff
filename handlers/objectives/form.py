"""`/tavus objective new|edit` and the objectives form: checked whole before Tavus hears."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import objective_modal as modal
from bot.blocks.objective_modal import (
    ObjectiveFields,
    Setup,
    block_id,
    loading_view,
    not_saved_view,
)
from bot.blocks.objectives import saved_text
from bot.domain import objectives as domain
from bot.objectives import (
    LIST_SHAPE,
    ObjectiveDraft,
    ObjectivesRequest,
    create_objectives,
    edit_objectives,
    shape_of,
)
from bot.services import Services
from bot.tavus import TavusError
from handlers.shared.families import CommandRequest
from handlers.shared.permissions import refusal
from handlers.shared.starting import run_in_modal, team_of

logger = logging.getLogger(__name__)

_SEPARATORS = re.compile(r"[,\s]+")


async def handle_new(request: CommandRequest) -> None:
    setup = Setup(channel_id=request.channel_id or None)
    view = modal.objectives_modal(setup)
    await request.services.slack.views_open(trigger_id=request.trigger_id, view=view)


async def handle_edit(request: CommandRequest) -> None:
    """The form, filled with the set as Tavus has it (the owner or an admin only)."""
    services, objectives_id = request.services, request.command.words[0]
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=objectives_id, user_id=request.user_id, verb="edit"
    )
    if refused:
        await request.say_privately(refused)
        return
    # Slack's trigger lasts three seconds: the form opens at once and fills when Tavus answers.
    opened = await services.slack.views_open(
        trigger_id=request.trigger_id, view=loading_view("Edit objectives")
    )
    view_id = str(opened["view"]["id"])
    try:
        found = await services.tavus.objectives.get(objectives_id)
    except TavusError as exc:
        await services.slack.views_update(view_id=view_id, view=not_saved_view(exc.user_message))
        return
    objectives = found.objectives[: domain.MAX_OBJECTIVES]
    if len(found.objectives) > domain.MAX_OBJECTIVES:
        reason = f"This set has over {domain.MAX_OBJECTIVES} objectives, more than the form holds."
        await services.slack.views_update(view_id=view_id, view=not_saved_view(reason))
        return
    setup = Setup(
        channel_id=request.channel_id or None,
        count=max(len(objectives), 1),
        editing=objectives_id,
        growable=shape_of(found) == LIST_SHAPE,
    )
    filled = [ObjectiveFields.of(objective) for objective in objectives]
    await services.slack.views_update(view_id=view_id, view=modal.objectives_modal(setup, filled))


async def handle_add(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    """ "Add an objective": the same form, one objective longer, what was typed kept."""
    await ack()
    view = body.get("view") or {}
    setup = Setup.parse(view.get("private_metadata"), most=domain.MAX_OBJECTIVES)
    if not setup.growable:
        return
    values = (view.get("state") or {}).get("values") or {}
    filled = modal.read_objectives(values, setup.count)
    grown = modal.objectives_modal(setup.grown(domain.MAX_OBJECTIVES), filled)
    try:
        await client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=grown)
    except SlackApiError as exc:  # submitted or closed meanwhile: nothing left to grow
        logger.info("could not add an objective to the form: %s", exc.response.get("error"))


async def handle_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    setup = Setup.parse(view.get("private_metadata"), most=domain.MAX_OBJECTIVES)
    fields = modal.read_objectives(view["state"]["values"], setup.count)
    drafts, errors = check(fields)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    user_id = str(body["user"]["id"])
    if setup.editing is not None:
        await ack(response_action="update", view=modal.saving_view())
        await _save(client, str(view["id"]), services, setup.editing, drafts, user_id)
        return
    await ack(response_action="update", view=modal.creating_view())
    request = ObjectivesRequest(
        team_id=team_of(body),
        user_id=user_id,
        channel_id=setup.channel_id,
        objectives=tuple(drafts),
    )
    relayed = services.settings.public_url is not None
    await run_in_modal(
        client,
        str(view["id"]),
        kind=domain.KIND,
        start=lambda: create_objectives(services, request),
        services=services,
        done=lambda started, _: modal.created_view(
            str(started.resource.tavus_id), [d.name for d in drafts], relayed=relayed
        ),
    )


async def _save(
    client: AsyncWebClient,
    view_id: str,
    services: Services,
    objectives_id: str,
    drafts: Sequence[ObjectiveDraft],
    user_id: str,
) -> None:
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=objectives_id, user_id=user_id, verb="edit"
    )
    if refused:
        await client.views_update(view_id=view_id, view=not_saved_view(refused, escaped=True))
        return
    try:
        edited = await edit_objectives(services, objectives_id, drafts)
    except (TavusError, ValueError) as exc:
        reason = exc.user_message if isinstance(exc, TavusError) else str(exc)
        await client.views_update(view_id=view_id, view=not_saved_view(reason))
        return
    logger.info("user %s edited objectives %s", user_id, objectives_id)
    text = saved_text("objectives", objectives_id, edited.changes)
    await client.views_update(view_id=view_id, view=modal.saved_view(text))


# -- checking the form -----------------------------------------------------------------------


def check(fields: Sequence[ObjectiveFields]) -> tuple[list[ObjectiveDraft], dict[str, str]]:
    """The objectives to send, or inline errors keyed by block_id (Slack shows them)."""
    kept = [(index, found) for index, found in enumerate(fields) if not found.blank]
    if not kept:
        return [], {block_id(0, modal.NAME): "Give at least one objective a name and a prompt."}
    errors: dict[str, str] = {}
    names = _names(kept, errors)
    drafts = []
    for index, found in kept:
        draft = _draft(index, found, names, errors)
        if draft is not None:
            drafts.append(draft)
    return (drafts, {}) if not errors else ([], errors)


def _names(kept: Sequence[tuple[int, ObjectiveFields]], errors: dict[str, str]) -> set[str]:
    seen: set[str] = set()
    for index, found in kept:
        name = found.name
        error = None
        if name is None:
            error = "Give this objective a name."
        elif any(char.isspace() for char in name):
            error = "No spaces in a name: use underscores, like collect_email."
        elif len(name) > domain.NAME_MAX:
            error = f"Keep the name under {domain.NAME_MAX} characters."
        elif name in seen:
            error = "Another objective of this form has this name."
        if error:
            errors[block_id(index, modal.NAME)] = error
        elif name is not None:
            seen.add(name)
    return seen


def _draft(
    index: int, found: ObjectiveFields, names: set[str], errors: dict[str, str]
) -> ObjectiveDraft | None:
    before = len(errors)
    if found.prompt is None:
        errors[block_id(index, modal.PROMPT)] = "Give this objective a prompt: what to achieve."
    mode = found.confirmation_mode or domain.CONFIRMATION_MODES[0]
    if mode not in domain.CONFIRMATION_MODES:
        errors[block_id(index, modal.MODE)] = "Choose how completion is confirmed."
    modality = found.modality or domain.MODALITIES[0]
    if modality not in domain.MODALITIES:
        errors[block_id(index, modal.MODALITY)] = "Choose a modality."
    variables = _variables(index, found.output_variables, errors)
    following = _following(index, found, names, errors)
    branches = _branches(index, found, names, errors)
    if len(errors) > before or found.name is None or found.prompt is None:
        return None
    return ObjectiveDraft(
        name=found.name,
        prompt=found.prompt,
        confirmation_mode=mode,
        modality=modality,
        output_variables=variables,
        next_objective=following,
        branches=branches,
    )


def _variables(index: int, typed: str | None, errors: dict[str, str]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(v for v in _SEPARATORS.split(typed or "") if v))
    block = block_id(index, modal.VARIABLES)
    if len(found) > domain.MAX_OUTPUT_VARIABLES:
        errors[block] = f"At most {domain.MAX_OUTPUT_VARIABLES} output variables."
    elif any(len(v) > domain.VARIABLE_MAX for v in found):
        errors[block] = f"Keep each variable's name under {domain.VARIABLE_MAX} characters."
    return found


def _following(
    index: int, found: ObjectiveFields, names: set[str], errors: dict[str, str]
) -> str | None:
    following = found.next_objective
    if following is None:
        return None
    if following == found.name:
        errors[block_id(index, modal.NEXT)] = "An objective cannot lead to itself."
    elif following not in names:
        errors[block_id(index, modal.NEXT)] = "Name another objective of this form."
    return following


def _branches(
    index: int, found: ObjectiveFields, names: set[str], errors: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    branches: dict[str, str] = {}
    for line in (found.branches or "").splitlines():
        if not line.strip():
            continue
        target, colon, condition = (part.strip() for part in line.partition(":"))
        problem = None
        if not colon or not target or not condition:
            problem = "One per line: an objective's name, a colon, and when to go there."
        elif target == found.name:
            problem = "An objective cannot lead to itself."
        elif target not in names:
            problem = f"No objective of this form is named {target[:40]}."
        elif len(condition) > domain.CONDITION_MAX:
            problem = f"Keep each condition under {domain.CONDITION_MAX} characters."
        if problem:
            errors[block_id(index, modal.BRANCHES)] = problem
            break
        branches[target] = condition
    return tuple(branches.items())
