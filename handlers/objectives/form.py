"""`/tavus objective new|edit` and the objectives form: checked whole before Tavus hears."""

from __future__ import annotations

import logging
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
    SetChanged,
    Slot,
    create_objectives,
    edit_objectives,
    many,
    shape_of,
    version,
)
from bot.services import Services
from bot.tavus import ObjectiveSet, TavusError
from handlers.objectives.submitting import Errors, Send, View, first_input, submit_edit
from handlers.shared.families import CommandRequest
from handlers.shared.permissions import refusal
from handlers.shared.starting import run_in_modal, team_of

logger = logging.getLogger(__name__)


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
        version=version(found),
    )
    filled = [ObjectiveFields.of(ObjectiveDraft.of(o), many=many(o)) for o in objectives]
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
    user_id = str(body["user"]["id"])
    if setup.editing is not None:
        await _submit_edit(ack, view, client, services, setup, fields, user_id)
        return
    slots, errors = check(fields)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    drafts = [slot.draft for slot in slots]
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


# -- saving an edit ----------------------------------------------------------------------------


def changed_words(objectives_id: str) -> str:
    return (
        f"Objectives {objectives_id} changed in Tavus since you opened this form, so nothing "
        f"was sent. Close it and run /tavus objective edit {objectives_id} again to see them "
        "as they are now."
    )


def expired_words(objectives_id: str) -> str:
    return (
        f"This form is out of date, so nothing was sent: close it and run "
        f"/tavus objective edit {objectives_id} again."
    )


async def _submit_edit(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
    setup: Setup,
    fields: Sequence[ObjectiveFields],
    user_id: str,
) -> None:
    """Checked against the set as Tavus has it now, which must be the version the form
    opened on; then only what the user changed is sent."""
    objectives_id, opened = str(setup.editing), setup.version

    def prepare(found: ObjectiveSet) -> Errors | Send:
        if opened is None or version(found) != opened:
            words = expired_words if opened is None else changed_words
            return {first_input(view): words(objectives_id)}
        shown = [ObjectiveDraft.of(o) for o in found.objectives]
        slots, errors = check(fields, shown)
        if errors:
            return errors
        return lambda: _save(services, found, slots, user_id, opened)

    await submit_edit(
        ack,
        client,
        view,
        read=services.tavus.objectives.get(objectives_id),
        prepare=prepare,
        saving=modal.saving_view(),
        failed=not_saved_view,
    )


async def _save(
    services: Services, found: ObjectiveSet, slots: Sequence[Slot], user_id: str, opened: str
) -> View:
    objectives_id = found.objectives_id
    refused = await refusal(
        services, kind=domain.KIND, tavus_id=objectives_id, user_id=user_id, verb="edit"
    )
    if refused:
        return not_saved_view(refused, escaped=True)
    try:
        edited = await edit_objectives(services, found, slots, opened=opened)
    except SetChanged:
        return not_saved_view(changed_words(objectives_id))
    except (TavusError, ValueError) as exc:
        return not_saved_view(exc.user_message if isinstance(exc, TavusError) else str(exc))
    logger.info("user %s edited objectives %s", user_id, objectives_id)
    return modal.saved_view(saved_text("objectives", objectives_id, edited.changes))


# -- checking the form -----------------------------------------------------------------------


def check(
    fields: Sequence[ObjectiveFields], shown: Sequence[ObjectiveDraft] = ()
) -> tuple[list[Slot], dict[str, str]]:
    """The objectives to send, each with its place in the form, or inline errors keyed by
    block_id (Slack shows them). ``shown``: an edit form's objectives as it showed them; a
    field the form left out keeps that value, and a value it showed is not held to the
    form's limits (Tavus has it already)."""
    kept = [
        (index, found, shown[index] if index < len(shown) else None)
        for index, found in enumerate(fields)
        if not found.blank
    ]
    if not kept:
        return [], {block_id(0, modal.NAME): "Give at least one objective a name and a prompt."}
    errors: dict[str, str] = {}
    names = _names(kept, errors)
    slots = []
    for index, found, before in kept:
        draft = _draft(index, found, before, names, errors)
        if draft is not None:
            slots.append(Slot(index, draft))
    return (slots, {}) if not errors else ([], errors)


Kept = tuple[int, ObjectiveFields, ObjectiveDraft | None]


def _kept(found: ObjectiveFields, before: ObjectiveDraft | None, field: str) -> bool:
    """Whether ``field`` was left out of the form: its value is the one Tavus has."""
    return before is not None and field in found.left_out


def _name(found: ObjectiveFields, before: ObjectiveDraft | None) -> str | None:
    return before.name if before is not None and _kept(found, before, modal.NAME) else found.name


def _names(kept: Sequence[Kept], errors: dict[str, str]) -> set[str]:
    seen: set[str] = set()
    for index, found, before in kept:
        name = _name(found, before)
        new = before is None or name != before.name
        error = None
        if name is None:
            error = "Give this objective a name."
        elif new and any(char.isspace() for char in name):
            error = "No spaces in a name: use underscores, like collect_email."
        elif new and len(name) > domain.NAME_MAX:
            error = f"Keep the name under {domain.NAME_MAX} characters."
        elif name in seen:
            error = "Another objective of this form has this name."
        if error:
            errors[block_id(index, modal.NAME)] = error
        elif name is not None:
            seen.add(name)
    return seen


def _draft(
    index: int,
    found: ObjectiveFields,
    before: ObjectiveDraft | None,
    names: set[str],
    errors: dict[str, str],
) -> ObjectiveDraft | None:
    start = len(errors)
    name = _name(found, before)
    prompt = before.prompt if before and _kept(found, before, modal.PROMPT) else found.prompt
    if prompt is None:
        errors[block_id(index, modal.PROMPT)] = "Give this objective a prompt: what to achieve."
    mode = _choice(index, found, before, modal.MODE, domain.CONFIRMATION_MODES, errors)
    modality = _choice(index, found, before, modal.MODALITY, domain.MODALITIES, errors)
    variables = _variables(index, found, before, errors)
    following = _following(index, found, before, name, names, errors)
    branches = _branches(index, found, before, name, names, errors)
    if len(errors) > start or name is None or prompt is None:
        return None
    return ObjectiveDraft(
        name=name,
        prompt=prompt,
        confirmation_mode=mode,
        modality=modality,
        output_variables=variables,
        next_objectives=following,
        branches=branches,
    )


_CHOICE_WORDS = {
    modal.MODE: "Choose how completion is confirmed.",
    modal.MODALITY: "Choose a modality.",
}


def _choice(
    index: int,
    found: ObjectiveFields,
    before: ObjectiveDraft | None,
    field: str,
    choices: Sequence[str],
    errors: dict[str, str],
) -> str:
    """A menu's choice: one Tavus documents, or the value the form showed (kept as an
    option, or left out of the form)."""
    shown = getattr(before, field) if before is not None else None
    if _kept(found, before, field) and shown is not None:
        return str(shown)
    chosen = getattr(found, field) or choices[0]
    if chosen not in choices and chosen != shown:
        errors[block_id(index, field)] = _CHOICE_WORDS[field]
    return str(chosen)


def _variables(
    index: int, found: ObjectiveFields, before: ObjectiveDraft | None, errors: dict[str, str]
) -> tuple[str, ...]:
    if before is not None and _kept(found, before, modal.VARIABLES):
        return before.output_variables
    variables = modal.parse_names(found.output_variables)
    if before is not None and variables == before.output_variables:
        return variables
    block = block_id(index, modal.VARIABLES)
    if len(variables) > domain.MAX_OUTPUT_VARIABLES:
        errors[block] = f"At most {domain.MAX_OUTPUT_VARIABLES} output variables."
    elif any(len(v) > domain.VARIABLE_MAX for v in variables):
        errors[block] = f"Keep each variable's name under {domain.VARIABLE_MAX} characters."
    return variables


def _following(
    index: int,
    found: ObjectiveFields,
    before: ObjectiveDraft | None,
    name: str | None,
    names: set[str],
    errors: dict[str, str],
) -> tuple[str, ...]:
    if before is not None and _kept(found, before, modal.NEXT):
        return before.next_objectives
    following = modal.parse_names(found.next_objectives)
    block = block_id(index, modal.NEXT)
    unchanged = before is not None and following == before.next_objectives
    if len(following) > 1 and not found.next_many and not unchanged:
        errors[block] = "Name one objective: the one that follows this one."
    elif name in following:
        errors[block] = "An objective cannot lead to itself."
    elif any(target not in names for target in following):
        errors[block] = "Name another objective of this form."
    return following


def _branches(
    index: int,
    found: ObjectiveFields,
    before: ObjectiveDraft | None,
    name: str | None,
    names: set[str],
    errors: dict[str, str],
) -> tuple[tuple[str, str], ...]:
    if before is not None and _kept(found, before, modal.BRANCHES):
        return before.branches
    block = block_id(index, modal.BRANCHES)
    try:
        branches = modal.parse_branches(found.branches)
    except modal.BranchesError as exc:
        errors[block] = str(exc)
        return ()
    shown = set(before.branches) if before is not None else set()
    for target, condition in branches:
        problem = None
        if target == name:
            problem = "An objective cannot lead to itself."
        elif target not in names:
            problem = f"No objective of this form is named {target[:40]}."
        elif len(condition) > domain.CONDITION_MAX and (target, condition) not in shown:
            problem = f"Keep each condition under {domain.CONDITION_MAX} characters."
        if problem:
            errors[block] = problem
            break
    return branches
