"""`/tavus objective new|edit` and the objectives form (``handlers.shared.set_forms``): the
family's row, and the checks its form passes before Tavus hears of it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import objective_modal as modal
from bot.blocks.objective_modal import ObjectiveFields, block_id
from bot.blocks.set_modal import Setup
from bot.domain import objectives as domain
from bot.jobs import JobStarted
from bot.objectives import (
    ObjectiveDraft,
    ObjectivesRequest,
    create_objectives,
    edit_objectives,
    many,
)
from bot.services import Services
from bot.sets import Edited, Slot
from bot.tavus import ObjectiveSet
from handlers.shared import set_forms
from handlers.shared.set_forms import Checked, Origin
from handlers.shared.submitting import Errors, View


def _draw(setup: Setup, typed: Sequence[ObjectiveFields] | None) -> View:
    return modal.objectives_modal(setup, typed or ())


def _shown(found: ObjectiveSet) -> list[ObjectiveFields]:
    return [ObjectiveFields.of(ObjectiveDraft.of(o), many=many(o)) for o in found.objectives]


def _check(
    typed: Sequence[ObjectiveFields], found: ObjectiveSet | None
) -> Checked[ObjectiveDraft] | Errors:
    shown = [ObjectiveDraft.of(o) for o in found.objectives] if found is not None else []
    slots, errors = check(typed, shown)
    return errors or Checked(slots)


async def _create(
    services: Services, origin: Origin, checked: Checked[ObjectiveDraft]
) -> JobStarted:
    request = ObjectivesRequest(
        team_id=origin.team_id,
        user_id=origin.user_id,
        channel_id=origin.channel_id,
        objectives=tuple(slot.draft for slot in checked.slots),
    )
    return await create_objectives(services, request)


async def _edit(
    services: Services, found: ObjectiveSet, checked: Checked[ObjectiveDraft], opened: str
) -> Edited:
    return await edit_objectives(services, found, checked.slots, opened=opened)


def _created_view(objectives_id: str, checked: Checked[ObjectiveDraft], relayed: bool) -> View:
    names = [slot.draft.name for slot in checked.slots]
    return modal.created_view(objectives_id, names, relayed=relayed)


FORM: set_forms.SetForm[ObjectiveSet, Sequence[ObjectiveFields], ObjectiveDraft]
FORM = set_forms.SetForm(
    kind=domain.KIND,
    most=domain.MAX_OBJECTIVES,
    callback_id=modal.CALLBACK_ID,
    add_action=modal.ADD_ACTION,
    get=lambda services, objectives_id: services.tavus.objectives.get(objectives_id),
    set_id=lambda found: found.objectives_id,
    members=lambda found: found.objectives,
    draw=_draw,
    read=modal.read_objectives,
    shown=_shown,
    check=_check,
    create=_create,
    edit=_edit,
    created_view=_created_view,
)


# -- checking the form -----------------------------------------------------------------------


def check(
    fields: Sequence[ObjectiveFields], shown: Sequence[ObjectiveDraft] = ()
) -> tuple[list[Slot[ObjectiveDraft]], dict[str, str]]:
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
